/**
 * Answers → FHIR R4 QuestionnaireResponse, written once for the server (export, scoring) and the
 * patient's frame (the response FHIRPath expressions such as enableWhenExpression are evaluated on).
 * Items nest as the questionnaire nests them; each instance of a repeating group is its own `item`
 * entry with the group's linkId; empty groups are left out.
 */
import type { Coding, Extension, Questionnaire, QuestionnaireItem, QuestionnaireResponse, QuestionnaireResponseItem, QuestionnaireResponseItemAnswer } from '@medplum/fhirtypes';
import { isRepeatingGroup, localized, ORDINAL_VALUE_URL, type AnswerValue, type Answers } from './questionnaire-logic.js';

/** The answer option matching a coded answer, whose ordinal value (score) the response carries along. */
function withOrdinal(item: QuestionnaireItem, coding: Coding): Coding {
  const option = item.answerOption?.find((o) => o.valueCoding?.code === coding.code && (!coding.system || !o.valueCoding?.system || o.valueCoding.system === coding.system))?.valueCoding;
  const ordinal = option?.extension?.find((e) => e.url === ORDINAL_VALUE_URL);
  return {
    ...(option?.system ?? coding.system ? { system: option?.system ?? coding.system } : {}),
    code: coding.code,
    ...(option?.display ?? coding.display ? { display: option?.display ?? coding.display } : {}),
    ...(ordinal ? { extension: [{ url: ORDINAL_VALUE_URL, valueDecimal: ordinal.valueDecimal }] as Extension[] } : {}),
  } as Coding;
}

function answerOf(item: QuestionnaireItem, a: AnswerValue): QuestionnaireResponseItemAnswer {
  if (a.valueCoding) return { valueCoding: withOrdinal(item, a.valueCoding) };
  return a as QuestionnaireResponseItemAnswer;
}

/** The response items for the answered questions, nested as the questionnaire nests them. */
export function responseItems(items: QuestionnaireItem[] | undefined, answers: Answers): QuestionnaireResponseItem[] {
  const out: QuestionnaireResponseItem[] = [];
  for (const item of items ?? []) {
    const text = localized(item.text, undefined, 'en') || undefined;
    if (isRepeatingGroup(item)) {
      for (const instance of answers[item.linkId] ?? []) {
        const children = responseItems(item.item, instance.item ?? {});
        if (children.length > 0) out.push({ linkId: item.linkId, ...(text ? { text } : {}), item: children });
      }
      continue;
    }
    if (item.type === 'group') {
      const children = responseItems(item.item, answers);
      if (children.length > 0) out.push({ linkId: item.linkId, ...(text ? { text } : {}), item: children });
      continue;
    }
    const given = answers[item.linkId];
    if (item.type === 'display' || !given?.length) continue;
    out.push({ linkId: item.linkId, ...(text ? { text } : {}), answer: given.map((a) => answerOf(item, a)) });
  }
  return out;
}

/** What identifies a response in FHIR. */
export interface ResponseMeta {
  id: string;
  status: QuestionnaireResponse['status'];
  questionnaireCanonical: string;
  patientId: string;
  authored: string;
}

/** A FHIR R4 QuestionnaireResponse of these answers (already pruned to enabled questions). */
export function buildResponse(q: Questionnaire, answers: Answers, meta: ResponseMeta): QuestionnaireResponse {
  const item = responseItems(q.item, answers);
  return {
    resourceType: 'QuestionnaireResponse',
    id: meta.id,
    questionnaire: meta.questionnaireCanonical,
    status: meta.status,
    subject: { reference: `Patient/${meta.patientId}` },
    authored: meta.authored,
    ...(item.length > 0 ? { item } : {}),
  };
}
