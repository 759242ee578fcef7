/**
 * Loads the FHIRPath engine and its R4 model for a questionnaire with enableWhenExpressions. They are
 * large, so the frame fetches them (a separate chunk) only when a questionnaire needs them.
 */
import type { Questionnaire } from '@medplum/fhirtypes';
import { expressionEvaluator, type FhirpathEngine } from '../../shared/questionnaire-expressions.js';
import type { LogicOptions } from '../../shared/questionnaire-logic.js';

/** The enablement options of a questionnaire whose items carry enableWhenExpressions. */
export async function loadExpressionLogic(q: Questionnaire): Promise<LogicOptions> {
  const [engine, model] = await Promise.all([import('fhirpath'), import('fhirpath/fhir-context/r4')]);
  return { evaluate: expressionEvaluator(engine.default as unknown as FhirpathEngine, model.default, q) };
}
