/**
 * Answers → FHIR R4 QuestionnaireResponse, and the scores a questionnaire defines as data: each item
 * with an SDC `calculatedExpression` is evaluated in FHIRPath by the `fhirpath` engine over the
 * response, its value placed in the response as that item's answer and matched to the item's score
 * bands; each safety-flag extension's FHIRPath expression raises its flag when it is true.
 */
import type { Extension, Questionnaire, QuestionnaireItem, QuestionnaireResponse } from '@medplum/fhirtypes';
import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4/index.js';
import { ENABLE_WHEN_EXPRESSION_URL, enableWhenExpression, flattenItems, localized, type Answers, type LogicOptions } from '../../shared/questionnaire-logic.js';
import { expressionEvaluator } from '../../shared/questionnaire-expressions.js';
import { buildResponse, type ResponseMeta } from '../../shared/questionnaire-response.js';
import type { ResponseResult } from '../../shared/questionnaires.js';
import { CALCULATED_EXPRESSION_URL, SAFETY_FLAG_URL, SCORE_BAND_URL } from './questionnaire-library.js';

/** The FHIRPath expression of an item's calculatedExpression, if it has one. */
export function calculatedExpression(item: QuestionnaireItem): string | null {
  const ext = item.extension?.find((e) => e.url === CALCULATED_EXPRESSION_URL);
  return ext?.valueExpression?.language === 'text/fhirpath' && ext.valueExpression.expression ? ext.valueExpression.expression : null;
}

/** Every FHIRPath expression a questionnaire carries (calculations and flags), for checking at import. */
export function expressionsOf(q: Questionnaire): string[] {
  const calculated = flattenItems(q.item).flatMap((i) => [calculatedExpression(i), enableWhenExpression(i)].filter((e): e is string => e !== null));
  const flags = (q.extension ?? []).filter((e) => e.url === SAFETY_FLAG_URL).flatMap((e) => e.extension?.find((p) => p.url === 'expression')?.valueExpression?.expression ?? []);
  return [...calculated, ...flags];
}

/** The questionnaire's enablement rules on the server: enableWhen, and enableWhenExpression by the `fhirpath` engine. */
export function logicOptions(q: Questionnaire): LogicOptions {
  return { evaluate: expressionEvaluator(fhirpath, r4, q) };
}

/** Items carrying an enableWhenExpression extension that is not FHIRPath text (refused at import). */
export const malformedExpressionItems = (q: Questionnaire): string[] =>
  flattenItems(q.item).filter((i) => i.extension?.some((e) => e.url === ENABLE_WHEN_EXPRESSION_URL) && !enableWhenExpression(i)).map((i) => i.linkId);

/** Whether an expression parses as FHIRPath (the engine compiles it). */
export function parsesAsFhirpath(expression: string): boolean {
  try {
    fhirpath.compile(expression, r4);
    return true;
  } catch {
    return false;
  }
}

export { buildResponse, type ResponseMeta } from '../../shared/questionnaire-response.js';

function evaluate(expression: string, qr: QuestionnaireResponse, q: Questionnaire): unknown[] {
  return fhirpath.evaluate(qr, expression, { resource: qr, questionnaire: q } as Record<string, unknown>, r4) as unknown[];
}

function part(ext: Extension, name: string): Extension | undefined {
  return ext.extension?.find((e) => e.url === name);
}

/**
 * The scores and flags of a response. Returns the answers with each calculated item's value added
 * (as the SDC form filler would show it), and the result staff see.
 */
export function scoreAnswers(q: Questionnaire, answers: Answers, meta: ResponseMeta): { answers: Answers; result: ResponseResult } {
  const all: Answers = { ...answers };
  const scores: ResponseResult['scores'] = [];
  for (const item of flattenItems(q.item)) {
    const expression = calculatedExpression(item);
    if (!expression) continue;
    const [value] = evaluate(expression, buildResponse(q, all, meta), q);
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    all[item.linkId] = [item.type === 'integer' ? { valueInteger: Math.round(value) } : { valueDecimal: value }];
    const bands = (item.extension ?? []).filter((e) => e.url === SCORE_BAND_URL);
    const hit = bands.find((b) => value >= (part(b, 'min')?.valueInteger ?? -Infinity) && value <= (part(b, 'max')?.valueInteger ?? Infinity));
    const display = hit ? part(hit, 'display') : undefined;
    scores.push({
      linkId: item.linkId,
      en: localized(item.text, undefined, 'en'),
      fr: localized(item.text, (item as { _text?: Parameters<typeof localized>[1] })._text, 'fr'),
      value,
      band: hit ? { code: part(hit, 'code')?.valueCode ?? '', en: display?.valueString ?? '', fr: localized(display?.valueString, (display as { _valueString?: Parameters<typeof localized>[1] } | undefined)?._valueString, 'fr') } : null,
    });
  }
  const qr = buildResponse(q, all, meta);
  const flags = (q.extension ?? [])
    .filter((e) => e.url === SAFETY_FLAG_URL)
    .filter((e) => {
      const expression = part(e, 'expression')?.valueExpression?.expression;
      return expression ? evaluate(expression, qr, q)[0] === true : false;
    })
    .map((e) => part(e, 'code')?.valueCode ?? 'flag');
  return { answers: all, result: { scores, flags } };
}
