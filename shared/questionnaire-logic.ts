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

/** A FHIR Quantity answer: a number and its UCUM unit. */
export interface AnswerQuantity {
  value?: number;
  unit?: string;
  system?: string;
  code?: string;
}

/** A FHIR Attachment answer: only a reference to an uploaded file (`urn:uuid:<attachment id>`), never inline data. */
export interface AnswerAttachment {
  url?: string;
  contentType?: string;
  size?: number;
  title?: string;
  data?: string;
}

/**
 * One answer to a question, as FHIR writes it in a QuestionnaireResponse (one value[x]); for a
 * repeating group, one instance of the group with its own answers (`item`).
 */
export interface AnswerValue {
  valueBoolean?: boolean;
  valueDecimal?: number;
  valueInteger?: number;
  valueDate?: string;
  valueDateTime?: string;
  valueTime?: string;
  valueString?: string;
  valueCoding?: Coding;
  valueQuantity?: AnswerQuantity;
  valueAttachment?: AnswerAttachment;
  item?: Answers;
}

/** The answers to a questionnaire by item linkId (an item may repeat, so each holds a list). */
export type Answers = Record<string, AnswerValue[]>;

/** The item types the product renders and accepts answers for. */
export const SUPPORTED_ITEM_TYPES = ['display', 'group', 'string', 'text', 'boolean', 'choice', 'open-choice', 'integer', 'decimal', 'date', 'dateTime', 'quantity', 'attachment'] as const;

/** The SDC extension whose FHIRPath expression decides whether an item is enabled. */
export const ENABLE_WHEN_EXPRESSION_URL = 'http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-enableWhenExpression';
/** The extension naming a quantity item's unit (a UCUM Coding). */
export const QUESTIONNAIRE_UNIT_URL = 'http://hl7.org/fhir/StructureDefinition/questionnaire-unit';
/** UCUM's system URI. */
export const UCUM = 'http://unitsofmeasure.org';
/** The ordinal value (score) of a coded answer option. */
export const ORDINAL_VALUE_URL = 'http://hl7.org/fhir/StructureDefinition/ordinalValue';

/**
 * Decides an enableWhenExpression: the expression and the answers visible where the item stands
 * (the whole questionnaire's shape: a repeating group's instance is the only instance of its group).
 */
export type ExpressionEvaluator = (expression: string, visible: Answers) => boolean;

/** The FHIRPath expression of an item's enableWhenExpression, if it has one. */
export function enableWhenExpression(item: QuestionnaireItem): string | null {
  const ext = item.extension?.find((e) => e.url === ENABLE_WHEN_EXPRESSION_URL);
  return ext?.valueExpression?.language === 'text/fhirpath' && ext.valueExpression.expression ? ext.valueExpression.expression : null;
}

/** Whether an item is a repeating group (each instance is answered on its own). */
export const isRepeatingGroup = (item: QuestionnaireItem): boolean => item.type === 'group' && item.repeats === true;

/** A quantity item's unit: the questionnaire-unit extension, else the unit of its initial or first option quantity. */
export function itemUnit(item: QuestionnaireItem): Coding | null {
  const ext = item.extension?.find((e) => e.url === QUESTIONNAIRE_UNIT_URL)?.valueCoding;
  if (ext?.code) return ext;
  const q = item.initial?.find((i) => i.valueQuantity)?.valueQuantity ?? (item.answerOption as Array<{ valueQuantity?: AnswerQuantity }> | undefined)?.find((o) => o.valueQuantity)?.valueQuantity;
  if (q?.code) return { system: q.system ?? UCUM, code: q.code, ...(q.unit ? { display: q.unit } : {}) };
  return null;
}

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

/** The SDC item control marking a display child as its question's help text. */
export const ITEM_CONTROL_URL = 'http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl';

/** A question's help text in `lang` (its display child with the `help` item control), or ''. */
export function itemHelp(item: QuestionnaireItem, lang: Lang): string {
  const help = item.item?.find((c) => c.type === 'display' && c.extension?.some((e) => e.url === ITEM_CONTROL_URL && e.valueCodeableConcept?.coding?.some((x) => x.code === 'help')));
  return help ? itemText(help, lang) : '';
}

/** A questionnaire's title in `lang`. */
export const questionnaireTitle = (q: Questionnaire, lang: Lang): string => localized(q.title ?? q.name, (q as { _title?: PrimitiveExtensions })._title, lang);

/** A Coding's display in `lang` (its code when it has none). */
export const codingDisplay = (c: Coding, lang: Lang): string => localized(c.display ?? c.code, (c as { _display?: PrimitiveExtensions })._display, lang);

/** Whether an answer has no value (an empty string counts as none: FHIR forbids empty strings; a group instance with no answers is empty). */
export function isEmptyAnswer(a: AnswerValue): boolean {
  if (a.item !== undefined) return !Object.values(a.item ?? {}).some((list) => Array.isArray(list) && list.some((x) => !isEmptyAnswer(x)));
  if (a.valueQuantity !== undefined) return typeof a.valueQuantity?.value !== 'number' || !Number.isFinite(a.valueQuantity.value);
  if (a.valueAttachment !== undefined) return !a.valueAttachment?.url;
  const v = answerValue(a);
  return v === undefined || v === null || v === '' || (typeof v === 'number' && !Number.isFinite(v));
}

/** The one value of an answer, whatever its type (a quantity's number). */
export function answerValue(a: AnswerValue): boolean | number | string | Coding | undefined {
  return a.valueBoolean ?? a.valueInteger ?? a.valueDecimal ?? a.valueQuantity?.value ?? a.valueDate ?? a.valueDateTime ?? a.valueTime ?? a.valueString ?? a.valueCoding;
}

type Compared = { kind: 'number'; v: number } | { kind: 'text'; v: string } | { kind: 'boolean'; v: boolean } | { kind: 'coding'; v: Coding };

function conditionValue(c: QuestionnaireItemEnableWhen): Compared | null {
  if (c.answerBoolean !== undefined) return { kind: 'boolean', v: c.answerBoolean };
  if (c.answerInteger !== undefined) return { kind: 'number', v: c.answerInteger };
  if (c.answerDecimal !== undefined) return { kind: 'number', v: c.answerDecimal };
  if (c.answerQuantity?.value !== undefined) return { kind: 'number', v: c.answerQuantity.value };
  const text = c.answerDate ?? c.answerDateTime ?? c.answerTime ?? c.answerString;
  if (text !== undefined) return { kind: 'text', v: text };
  if (c.answerCoding !== undefined) return { kind: 'coding', v: c.answerCoding };
  return null;
}

function answerCompared(a: AnswerValue): Compared | null {
  if (a.valueBoolean !== undefined) return { kind: 'boolean', v: a.valueBoolean };
  if (a.valueInteger !== undefined) return { kind: 'number', v: a.valueInteger };
  if (a.valueDecimal !== undefined) return { kind: 'number', v: a.valueDecimal };
  if (typeof a.valueQuantity?.value === 'number') return { kind: 'number', v: a.valueQuantity.value };
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

/** How enablement is decided beyond enableWhen: the FHIRPath evaluator (without one, expressions count as true). */
export interface LogicOptions {
  evaluate?: ExpressionEvaluator;
}

/**
 * Where a set of items is answered: the questionnaire, or one instance of a repeating group (at any
 * depth: a group's instance inside another group's instance sees its own answers, then its outer
 * instance's, then the questionnaire's) and how to see the whole.
 */
export interface LogicScope {
  /** The visible answers outside this scope, flat by linkId (for enableWhen). */
  outer: Answers;
  /** This scope's visible answers placed in the whole questionnaire's shape (for expressions). */
  whole: (own: Answers) => Answers;
}

/** The questionnaire's own scope (outside every repeating group). */
export const TOP_SCOPE: LogicScope = { outer: {}, whole: (own) => own };

/** Whether an item's own conditions hold (ignoring its parents). `visible` is flat by linkId; `whole` in the questionnaire's shape. */
export function itemConditionsHold(item: QuestionnaireItem, answers: Answers, options: LogicOptions = {}, whole: Answers = answers): boolean {
  const expression = enableWhenExpression(item);
  if (expression) return options.evaluate ? options.evaluate(expression, whole) : true;
  const conditions = item.enableWhen ?? [];
  if (conditions.length === 0) return true;
  const results = conditions.map((c) => conditionHolds(c, answers));
  return item.enableBehavior === 'any' ? results.some(Boolean) : results.every(Boolean);
}

/** Every item of the tree, depth first, in document order. */
export function flattenItems(items: QuestionnaireItem[] | undefined): QuestionnaireItem[] {
  return (items ?? []).flatMap((i) => [i, ...flattenItems(i.item)]);
}

/** The items of one scope, depth first: the tree without the insides of repeating groups (each instance is a scope of its own). */
export function scopeItems(items: QuestionnaireItem[] | undefined): QuestionnaireItem[] {
  return (items ?? []).flatMap((i) => [i, ...(isRepeatingGroup(i) ? [] : scopeItems(i.item))]);
}

/** The enabled items of one scope (the insides of its repeating groups are decided per instance). */
export function scopeEnabled(items: QuestionnaireItem[] | undefined, answers: Answers, scope: LogicScope, options: LogicOptions = {}): Set<string> {
  return enabledIn(items, answers, scope, options);
}

function enabledIn(items: QuestionnaireItem[] | undefined, answers: Answers, scope: LogicScope, options: LogicOptions): Set<string> {
  let enabled = new Set(scopeItems(items).map((i) => i.linkId));
  for (let round = 0; round < 20; round++) {
    const own = Object.fromEntries(Object.entries(answers).filter(([id]) => enabled.has(id)));
    const flat = { ...scope.outer, ...own };
    const whole = scope.whole(own);
    const next = new Set<string>();
    const walk = (list: QuestionnaireItem[] | undefined) => {
      for (const item of list ?? []) {
        if (!itemConditionsHold(item, flat, options, whole)) continue;
        next.add(item.linkId);
        if (!isRepeatingGroup(item)) walk(item.item);
      }
    };
    walk(items);
    if (next.size === enabled.size && [...next].every((id) => enabled.has(id))) return next;
    enabled = next;
  }
  return enabled;
}

/**
 * The linkIds of the enabled items (the insides of repeating groups are decided per instance, by
 * `instanceEnabled`). A disabled question's answers do not count for the items that depend on it, so
 * this settles by repetition (conditions may point forwards as well as back).
 */
export function enabledLinkIds(items: QuestionnaireItem[] | undefined, answers: Answers, options: LogicOptions = {}): Set<string> {
  return enabledIn(items, answers, TOP_SCOPE, options);
}

/**
 * The scope of one instance of a repeating group, seen from the scope that holds the group:
 * `around` is that scope's answers and `enabled` its enabled items (answers to disabled ones do not count).
 */
export function instanceScope(group: QuestionnaireItem, around: Answers, enabled: Set<string>, parent: LogicScope): LogicScope {
  const outside = Object.fromEntries(Object.entries(around).filter(([id]) => enabled.has(id)));
  return { outer: { ...parent.outer, ...outside }, whole: (own) => parent.whole({ ...outside, [group.linkId]: [{ item: own }] }) };
}

/**
 * The enabled items inside one instance of a repeating group: its own answers first, then the
 * questions outside it (the nearest occurrence, as R4 resolves enableWhen in repeating groups).
 * `outside` is the questionnaire's answers (as `pruneAnswers` keeps them).
 */
export function instanceEnabled(group: QuestionnaireItem, instance: Answers, outside: Answers, options: LogicOptions = {}): Set<string> {
  return enabledIn(group.item, instance, instanceScope(group, outside, new Set(Object.keys(outside)), TOP_SCOPE), options);
}

/** Whether an item takes answers (display items and plain groups do not; a repeating group's answers are its instances). */
export const isQuestion = (item: QuestionnaireItem): boolean => item.type !== 'display' && (item.type !== 'group' || isRepeatingGroup(item));

function pruneIn(items: QuestionnaireItem[] | undefined, answers: Answers, scope: LogicScope, options: LogicOptions): Answers {
  const enabled = enabledIn(items, answers, scope, options);
  const out: Answers = {};
  for (const item of scopeItems(items)) {
    if (!isQuestion(item) || !enabled.has(item.linkId)) continue;
    let given = (answers[item.linkId] ?? []).filter((a) => !isEmptyAnswer(a));
    if (isRepeatingGroup(item)) {
      const inner = instanceScope(item, answers, enabled, scope);
      given = given.map((a) => ({ item: pruneIn(item.item, a.item ?? {}, inner, options) })).filter((a) => !isEmptyAnswer(a));
      if (given.length > 0) out[item.linkId] = given;
      continue;
    }
    if (given.length > 0) out[item.linkId] = item.repeats ? given : given.slice(0, 1);
  }
  return out;
}

/** The answers worth keeping: only to enabled questions of this questionnaire, empty values and empty group instances left out. */
export function pruneAnswers(items: QuestionnaireItem[] | undefined, answers: Answers, options: LogicOptions = {}): Answers {
  return pruneIn(items, answers, TOP_SCOPE, options);
}

/** Why one answer does not fit its item, or null when it does. */
export type AnswerProblem = 'wrong_type' | 'not_an_option' | 'not_an_integer' | 'not_a_date' | 'not_a_date_time' | 'not_a_unit' | 'not_an_attachment' | 'too_long';

const DATE = /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/;
/** FHIR dateTime: a date, or a full date and time with seconds and a time zone. */
const DATE_TIME = /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01])(T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d{1,9})?(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00)))?)?)?$/;
/** The reference an attachment answer makes to a file uploaded through the attachments API. */
export const ATTACHMENT_URL = /^urn:uuid:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** The uploaded file an attachment answer names (its id), or null. */
export const attachmentId = (a: AnswerValue): string | null => ATTACHMENT_URL.exec(a.valueAttachment?.url ?? '')?.[1] ?? null;

/** Checks one answer's type (and, for choices, that it is one of the options; for quantities, the unit). Group instances are checked item by item by the caller. */
export function answerProblem(item: QuestionnaireItem, a: AnswerValue): AnswerProblem | null {
  if (isRepeatingGroup(item)) return Object.keys(a).length === 1 && a.item && typeof a.item === 'object' && !Array.isArray(a.item) ? null : 'wrong_type';
  const keys = Object.keys(a).filter((k) => k.startsWith('value'));
  if (keys.length !== 1 || Object.keys(a).length !== 1) return 'wrong_type';
  const isOption = (c: Coding) => (item.answerOption ?? []).some((o) => o.valueCoding && sameCoding(o.valueCoding, c));
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
      return DATE.test(a.valueDate) ? null : 'not_a_date';
    case 'dateTime':
      if (typeof a.valueDateTime !== 'string') return 'wrong_type';
      return DATE_TIME.test(a.valueDateTime) && !Number.isNaN(Date.parse(a.valueDateTime.length > 10 ? a.valueDateTime : `${a.valueDateTime.padEnd(7, '-01').padEnd(10, '-01')}T00:00:00Z`)) ? null : 'not_a_date_time';
    case 'string':
    case 'text':
      if (typeof a.valueString !== 'string') return 'wrong_type';
      return item.maxLength !== undefined && a.valueString.length > item.maxLength ? 'too_long' : null;
    case 'choice': {
      const c = a.valueCoding;
      if (!c || typeof c.code !== 'string') return 'wrong_type';
      return isOption(c) ? null : 'not_an_option';
    }
    case 'open-choice': {
      if (typeof a.valueString === 'string') return item.maxLength !== undefined && a.valueString.length > item.maxLength ? 'too_long' : null;
      const c = a.valueCoding;
      if (!c || typeof c.code !== 'string') return 'wrong_type';
      return isOption(c) ? null : 'not_an_option';
    }
    case 'quantity': {
      const q = a.valueQuantity;
      if (!q || typeof q !== 'object' || typeof q.value !== 'number' || !Number.isFinite(q.value)) return 'wrong_type';
      const unit = itemUnit(item);
      if (!unit) return null;
      return (q.code === undefined || q.code === unit.code) && (q.system === undefined || q.system === (unit.system ?? UCUM)) ? null : 'not_a_unit';
    }
    case 'attachment': {
      const f = a.valueAttachment;
      if (!f || typeof f !== 'object') return 'wrong_type';
      return f.data === undefined && attachmentId(a) ? null : 'not_an_attachment';
    }
    default:
      return 'wrong_type';
  }
}

/** A quantity answer as stored and sent: the value with the item's unit (UCUM system and code, its display as unit). */
export function withItemUnit(item: QuestionnaireItem, value: number): AnswerValue {
  const unit = itemUnit(item);
  return { valueQuantity: { value, ...(unit ? { unit: unit.display ?? unit.code, system: unit.system ?? UCUM, code: unit.code } : {}) } };
}

function missingIn(items: QuestionnaireItem[] | undefined, answers: Answers, scope: LogicScope, options: LogicOptions, prefix: string): string[] {
  const kept = pruneIn(items, answers, scope, options);
  const enabled = enabledIn(items, answers, scope, options);
  const out: string[] = [];
  for (const i of scopeItems(items)) {
    if (!isQuestion(i) || !enabled.has(i.linkId)) continue;
    if (i.required && !kept[i.linkId]) out.push(prefix + i.linkId);
    if (isRepeatingGroup(i)) {
      const inner = instanceScope(i, answers, enabled, scope);
      (answers[i.linkId] ?? []).forEach((inst, n) => {
        if (!isEmptyAnswer(inst)) out.push(...missingIn(i.item, inst.item ?? {}, inner, options, `${prefix}${i.linkId}/${n}/`));
      });
    }
  }
  return out;
}

/**
 * The required questions that are enabled and unanswered, in document order. Inside a repeating
 * group's instance (one the patient started), each is named `group/index/linkId`; a required
 * repeating group needs at least one instance.
 */
export function missingRequired(items: QuestionnaireItem[] | undefined, answers: Answers, options: LogicOptions = {}): string[] {
  return missingIn(items, answers, TOP_SCOPE, options, '');
}
