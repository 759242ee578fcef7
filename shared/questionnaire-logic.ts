/**
 * The rules of filling in a FHIR R4 Questionnaire, written once for the patient's frame (which shows
 * and hides items as answers change) and the server (which drops answers to hidden items and checks
 * what is required): `enableWhen` with `enableBehavior`, required items, answer types, and the
 * English/French text of an item.
 *
 * `enableWhen` follows the R4 specification: `exists` is true when the question has an answer and
 * `answerBoolean` is true (or has none and it is false); the other operators are true when at least
 * one answer compares as asked with the enableWhen's value of the same type (a question with no
 * answer makes them false); `enableBehavior` `all` needs every condition, `any` one. An item whose
 * question is itself disabled sees that question as unanswered, and the items inside a disabled group
 * are disabled.
 *
 * French text is carried the FHIR way: the R4 `translation` extension on the element's `_text`,
 * `_title` or Coding `_display` (http://hl7.org/fhir/StructureDefinition/translation, parts `lang`
 * and `content`). Without a French translation the English text shows.
 */
import type { Coding, Questionnaire, QuestionnaireItem, QuestionnaireItemEnableWhen } from '@medplum/fhirtypes';
import type { Lang } from './lang.js';

/** One answer to a question, as FHIR writes it in a QuestionnaireResponse (one value[x]). */
export interface AnswerValue {
  valueBoolean?: boolean;
  valueDecimal?: number;
  valueInteger?: number;
  valueDate?: string;
  valueDateTime?: string;
  valueTime?: string;
  valueString?: string;
  valueCoding?: Coding;
}

/** The answers to a questionnaire by item linkId (an item may repeat, so each holds a list). */
export type Answers = Record<string, AnswerValue[]>;

/** The item types the product renders and accepts answers for. */
export const SUPPORTED_ITEM_TYPES = ['display', 'group', 'string', 'text', 'boolean', 'choice', 'integer', 'decimal', 'date'] as const;

/** The FHIR translation extension's URL. */
export const TRANSLATION_URL = 'http://hl7.org/fhir/StructureDefinition/translation';

/** An element's primitive extension holder (`_text`, `_title`, `_display`). */
interface PrimitiveExtensions {
  extension?: Array<{ url: string; extension?: Array<{ url: string; valueCode?: string; valueString?: string }> }>;
}

/** The text in `lang`: the translation extension's content for French, else the base (English) text. */
export function localized(base: string | undefined, ext: PrimitiveExtensions | undefined, lang: Lang): string {
  if (lang !== 'en') {
    for (const t of ext?.extension ?? []) {
      if (t.url !== TRANSLATION_URL) continue;
      const code = t.extension?.find((e) => e.url === 'lang')?.valueCode;
      const content = t.extension?.find((e) => e.url === 'content')?.valueString;
      if (code && content && code.toLowerCase().split('-')[0] === lang) return content;
    }
  }
  return base ?? '';
}

/** An item's text in `lang`. */
export const itemText = (item: QuestionnaireItem, lang: Lang): string => localized(item.text, (item as { _text?: PrimitiveExtensions })._text, lang);

/** A questionnaire's title in `lang`. */
export const questionnaireTitle = (q: Questionnaire, lang: Lang): string => localized(q.title ?? q.name, (q as { _title?: PrimitiveExtensions })._title, lang);

/** A Coding's display in `lang` (its code when it has none). */
export const codingDisplay = (c: Coding, lang: Lang): string => localized(c.display ?? c.code, (c as { _display?: PrimitiveExtensions })._display, lang);

/** Whether an answer has no value (an empty string counts as none: FHIR forbids empty strings). */
export function isEmptyAnswer(a: AnswerValue): boolean {
  const v = answerValue(a);
  return v === undefined || v === null || v === '' || (typeof v === 'number' && !Number.isFinite(v));
}

/** The one value of an answer, whatever its type. */
export function answerValue(a: AnswerValue): boolean | number | string | Coding | undefined {
  return a.valueBoolean ?? a.valueInteger ?? a.valueDecimal ?? a.valueDate ?? a.valueDateTime ?? a.valueTime ?? a.valueString ?? a.valueCoding;
}

type Compared = { kind: 'number'; v: number } | { kind: 'text'; v: string } | { kind: 'boolean'; v: boolean } | { kind: 'coding'; v: Coding };

function conditionValue(c: QuestionnaireItemEnableWhen): Compared | null {
  if (c.answerBoolean !== undefined) return { kind: 'boolean', v: c.answerBoolean };
  if (c.answerInteger !== undefined) return { kind: 'number', v: c.answerInteger };
  if (c.answerDecimal !== undefined) return { kind: 'number', v: c.answerDecimal };
  const text = c.answerDate ?? c.answerDateTime ?? c.answerTime ?? c.answerString;
  if (text !== undefined) return { kind: 'text', v: text };
  if (c.answerCoding !== undefined) return { kind: 'coding', v: c.answerCoding };
  return null;
}

function answerCompared(a: AnswerValue): Compared | null {
  if (a.valueBoolean !== undefined) return { kind: 'boolean', v: a.valueBoolean };
  if (a.valueInteger !== undefined) return { kind: 'number', v: a.valueInteger };
  if (a.valueDecimal !== undefined) return { kind: 'number', v: a.valueDecimal };
  const text = a.valueDate ?? a.valueDateTime ?? a.valueTime ?? a.valueString;
  if (text !== undefined) return { kind: 'text', v: text };
  if (a.valueCoding !== undefined) return { kind: 'coding', v: a.valueCoding };
  return null;
}

/** Two Codings are equal when their codes are, and their systems too where both have one. */
const sameCoding = (a: Coding, b: Coding) => a.code === b.code && (!a.system || !b.system || a.system === b.system);

/** -1, 0 or 1; null when the two cannot be compared (other types, or order asked of a Coding or boolean). */
function compare(a: Compared, b: Compared, ordered: boolean): number | null {
  if (a.kind !== b.kind) return null;
  if (a.kind === 'coding') return ordered ? null : sameCoding(a.v, b.v as Coding) ? 0 : 1;
  if (a.kind === 'boolean') return ordered ? null : a.v === b.v ? 0 : 1;
  const x = a.v as number | string;
  const y = b.v as number | string;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Whether one enableWhen condition holds for the answers given (answers of disabled items already removed). */
export function conditionHolds(c: QuestionnaireItemEnableWhen, answers: Answers): boolean {
  const given = (answers[c.question] ?? []).filter((a) => !isEmptyAnswer(a));
  if (c.operator === 'exists') return (given.length > 0) === (c.answerBoolean ?? true);
  const expected = conditionValue(c);
  if (!expected) return false;
  const ordered = c.operator !== '=' && c.operator !== '!=';
  return given.some((a) => {
    const got = answerCompared(a);
    const cmp = got ? compare(got, expected, ordered) : null;
    if (cmp === null) return false;
    switch (c.operator) {
      case '=': return cmp === 0;
      case '!=': return cmp !== 0;
      case '>': return cmp > 0;
      case '<': return cmp < 0;
      case '>=': return cmp >= 0;
      case '<=': return cmp <= 0;
      default: return false;
    }
  });
}

/** Whether an item's own conditions hold (ignoring its parents). */
export function itemConditionsHold(item: QuestionnaireItem, answers: Answers): boolean {
  const conditions = item.enableWhen ?? [];
  if (conditions.length === 0) return true;
  const results = conditions.map((c) => conditionHolds(c, answers));
  return item.enableBehavior === 'any' ? results.some(Boolean) : results.every(Boolean);
}

/** Every item of the tree, depth first, in document order. */
export function flattenItems(items: QuestionnaireItem[] | undefined): QuestionnaireItem[] {
  return (items ?? []).flatMap((i) => [i, ...flattenItems(i.item)]);
}

/**
 * The linkIds of the enabled items. A disabled question's answers do not count for the items that
 * depend on it, so this settles by repetition (conditions may point forwards as well as back).
 */
export function enabledLinkIds(items: QuestionnaireItem[] | undefined, answers: Answers): Set<string> {
  let enabled = new Set(flattenItems(items).map((i) => i.linkId));
  for (let round = 0; round < 20; round++) {
    const visible = Object.fromEntries(Object.entries(answers).filter(([id]) => enabled.has(id)));
    const next = new Set<string>();
    const walk = (list: QuestionnaireItem[] | undefined) => {
      for (const item of list ?? []) {
        if (!itemConditionsHold(item, visible)) continue;
        next.add(item.linkId);
        walk(item.item);
      }
    };
    walk(items);
    if (next.size === enabled.size && [...next].every((id) => enabled.has(id))) return next;
    enabled = next;
  }
  return enabled;
}

/** Whether an item takes answers (display items and groups do not). */
export const isQuestion = (item: QuestionnaireItem): boolean => item.type !== 'display' && item.type !== 'group';

/** The answers worth keeping: only to enabled questions of this questionnaire, empty values left out. */
export function pruneAnswers(items: QuestionnaireItem[] | undefined, answers: Answers): Answers {
  const enabled = enabledLinkIds(items, answers);
  const out: Answers = {};
  for (const item of flattenItems(items)) {
    if (!isQuestion(item) || !enabled.has(item.linkId)) continue;
    const given = (answers[item.linkId] ?? []).filter((a) => !isEmptyAnswer(a));
    if (given.length > 0) out[item.linkId] = item.repeats ? given : given.slice(0, 1);
  }
  return out;
}

/** Why one answer does not fit its item, or null when it does. */
export type AnswerProblem = 'wrong_type' | 'not_an_option' | 'not_an_integer' | 'not_a_date' | 'too_long';

/** Checks one answer's type (and, for choices, that it is one of the options). */
export function answerProblem(item: QuestionnaireItem, a: AnswerValue): AnswerProblem | null {
  const keys = Object.keys(a).filter((k) => k.startsWith('value'));
  if (keys.length !== 1) return 'wrong_type';
  switch (item.type) {
    case 'boolean':
      return typeof a.valueBoolean === 'boolean' ? null : 'wrong_type';
    case 'integer':
      if (typeof a.valueInteger !== 'number') return 'wrong_type';
      return Number.isSafeInteger(a.valueInteger) ? null : 'not_an_integer';
    case 'decimal':
      return typeof a.valueDecimal === 'number' && Number.isFinite(a.valueDecimal) ? null : 'wrong_type';
    case 'date':
      if (typeof a.valueDate !== 'string') return 'wrong_type';
      return /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/.test(a.valueDate) ? null : 'not_a_date';
    case 'string':
    case 'text':
      if (typeof a.valueString !== 'string') return 'wrong_type';
      return item.maxLength !== undefined && a.valueString.length > item.maxLength ? 'too_long' : null;
    case 'choice': {
      const c = a.valueCoding;
      if (!c || typeof c.code !== 'string') return 'wrong_type';
      return (item.answerOption ?? []).some((o) => o.valueCoding && sameCoding(o.valueCoding, c)) ? null : 'not_an_option';
    }
    default:
      return 'wrong_type';
  }
}

/** The required questions that are enabled and unanswered, in document order. */
export function missingRequired(items: QuestionnaireItem[] | undefined, answers: Answers): string[] {
  const kept = pruneAnswers(items, answers);
  const enabled = enabledLinkIds(items, answers);
  return flattenItems(items)
    .filter((i) => i.required && isQuestion(i) && enabled.has(i.linkId) && !kept[i.linkId])
    .map((i) => i.linkId);
}
