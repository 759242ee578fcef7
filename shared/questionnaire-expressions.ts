/**
 * The SDC enableWhenExpression, evaluated by the maintained FHIRPath engine (the `fhirpath` package)
 * over the response the visible answers make, with `%resource` the response and `%questionnaire` the
 * questionnaire. The engine and its R4 model are passed in: the server imports them directly, the
 * patient's frame loads them only for a questionnaire that has expressions (they are large).
 * An item is enabled when the expression's first result is `true`; an expression that fails to
 * evaluate disables the item (the server refuses at import an expression that does not parse).
 */
import type { Questionnaire } from '@medplum/fhirtypes';
import { enableWhenExpression, flattenItems, type ExpressionEvaluator } from './questionnaire-logic.js';
import { buildResponse } from './questionnaire-response.js';

/** The parts of the `fhirpath` package used here. */
export interface FhirpathEngine {
  evaluate(resource: unknown, expression: string, env?: Record<string, unknown>, model?: unknown): unknown;
}

/** Whether a questionnaire has any enableWhenExpression (the frame loads the engine only then). */
export const hasEnableWhenExpressions = (q: Questionnaire): boolean => flattenItems(q.item).some((i) => enableWhenExpression(i) !== null);

const META = { id: 'draft', status: 'in-progress' as const, questionnaireCanonical: 'urn:uuid:draft', patientId: 'self', authored: '1970-01-01T00:00:00Z' };

/** An evaluator of the questionnaire's enableWhenExpressions over the answers visible so far. */
export function expressionEvaluator(engine: FhirpathEngine, model: unknown, q: Questionnaire): ExpressionEvaluator {
  return (expression, visible) => {
    const qr = buildResponse(q, visible, META);
    try {
      const result = engine.evaluate(qr, expression, { resource: qr, questionnaire: q }, model) as unknown[];
      return result[0] === true;
    } catch {
      return false;
    }
  };
}
