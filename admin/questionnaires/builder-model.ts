/**
 * The questionnaire builder's working copy and its conversion to and from a FHIR R4 Questionnaire.
 * French text travels the way the rest of the product reads it (shared/questionnaire-logic.ts): the
 * `translation` extension on `_text`, `_title`, `_description` and Coding `_display`. Help text is a
 * display child with the `help` item control; min/max value and min length are the core FHIR
 * extensions; a quantity's unit is the `questionnaire-unit` extension with a UCUM code. Whatever an
 * imported or library item carries that the builder does not edit (scores, expressions) is kept.
 */
import type { Coding, Extension, Questionnaire, QuestionnaireItem, QuestionnaireItemAnswerOption, QuestionnaireItemEnableWhen } from '@medplum/fhirtypes';
import { ITEM_CONTROL_URL, QUESTIONNAIRE_UNIT_URL, SUPPORTED_ITEM_TYPES, TRANSLATION_URL, UCUM } from '../../shared/questionnaire-logic.js';
import { MAX_REPEAT_DEPTH } from '../../shared/questionnaires.js';

/** An item type the builder offers (the ones the patient's frame renders). */
export type ItemType = (typeof SUPPORTED_ITEM_TYPES)[number];
/** An enableWhen operator. */
export type Operator = QuestionnaireItemEnableWhen['operator'];
/** Every enableWhen operator, in the order the builder lists them. */
export const OPERATORS: Operator[] = ['exists', '=', '!=', '>', '<', '>=', '<='];

export const MIN_VALUE_URL = 'http://hl7.org/fhir/StructureDefinition/minValue';
export const MAX_VALUE_URL = 'http://hl7.org/fhir/StructureDefinition/maxValue';
export const MIN_LENGTH_URL = 'http://hl7.org/fhir/StructureDefinition/minLength';
const ITEM_CONTROL_SYSTEM = 'http://hl7.org/fhir/questionnaire-item-control';
const MANAGED_EXTENSIONS = [MIN_VALUE_URL, MAX_VALUE_URL, MIN_LENGTH_URL, QUESTIONNAIRE_UNIT_URL];

/** One coded answer option. */
export interface DraftOption {
  code: string;
  display: string;
  displayFr: string;
  /** The rest of the Coding (e.g. its system) and of the answerOption (e.g. an ordinalValue score), kept as they were. */
  coding: Partial<Coding>;
  option: Partial<QuestionnaireItemAnswerOption>;
}

/** One enableWhen condition; the answer is typed as the person wrote it and converted by the question's type. */
export interface DraftCondition {
  question: string;
  operator: Operator;
  answer: string;
}

/** One item being edited. `key` identifies it in the page (stable while its linkId is edited). */
export interface DraftItem {
  key: string;
  linkId: string;
  type: ItemType;
  text: string;
  textFr: string;
  required: boolean;
  repeats: boolean;
  help: string;
  helpFr: string;
  options: DraftOption[];
  minValue: string;
  maxValue: string;
  minLength: string;
  maxLength: string;
  unitCode: string;
  unitDisplay: string;
  enableWhen: DraftCondition[];
  enableBehavior: 'any' | 'all';
  children: DraftItem[];
  /** What the original item had beyond the fields above. */
  extra: Partial<QuestionnaireItem>;
}

/** The questionnaire being edited. */
export interface Draft {
  title: string;
  titleFr: string;
  description: string;
  descriptionFr: string;
  items: DraftItem[];
  extra: Partial<Questionnaire>;
}

/** Whether an item type takes an answer. */
export const answerable = (type: ItemType): boolean => type !== 'display' && type !== 'group';
/** Types whose answers have a min/max value (FHIR's minValue/maxValue extensions). */
export const hasValueRange = (type: ItemType): boolean => ['integer', 'decimal', 'date', 'dateTime', 'quantity'].includes(type);
/** Types with a maximum / minimum length (R4 que-10 allows maxLength on these text types). */
export const hasLength = (type: ItemType): boolean => ['string', 'text', 'open-choice'].includes(type);
/** Types with coded answer options. */
export const hasOptions = (type: ItemType): boolean => type === 'choice' || type === 'open-choice';
/** Operators that make sense for a question of this type (ordering only for numbers and dates). */
export const operatorsFor = (type: ItemType | undefined): Operator[] =>
  type && ['integer', 'decimal', 'quantity', 'date', 'dateTime'].includes(type) ? OPERATORS : ['exists', '=', '!='];

type Primitive = { extension?: Extension[] };

/** The primitive extension holder carrying a French translation (undefined when there is none). */
export function frenchExtension(text: string): Primitive | undefined {
  const content = text.trim();
  if (!content) return undefined;
  return { extension: [{ url: TRANSLATION_URL, extension: [{ url: 'lang', valueCode: 'fr' }, { url: 'content', valueString: content }] }] };
}

/** The French translation in a primitive extension holder, or ''. */
function frenchOf(holder: unknown): string {
  for (const t of (holder as Primitive | undefined)?.extension ?? []) {
    if (t.url !== TRANSLATION_URL) continue;
    const code = t.extension?.find((e) => e.url === 'lang')?.valueCode;
    if (code?.toLowerCase().split('-')[0] === 'fr') return t.extension?.find((e) => e.url === 'content')?.valueString ?? '';
  }
  return '';
}

/** A fresh item of `type` with a linkId not yet used in `draft`. */
export function newItem(draft: Draft, type: ItemType, key: string): DraftItem {
  const used = new Set(allItems(draft.items).map((i) => i.linkId));
  let n = allItems(draft.items).length + 1;
  while (used.has(`q${n}`)) n++;
  return {
    key, linkId: `q${n}`, type, text: '', textFr: '', required: false, repeats: false, help: '', helpFr: '', options: type === 'choice' || type === 'open-choice' ? [blankOption(1)] : [],
    minValue: '', maxValue: '', minLength: '', maxLength: '', unitCode: '', unitDisplay: '', enableWhen: [], enableBehavior: 'any', children: [], extra: {},
  };
}

/** An empty answer option with the code `n`. */
export const blankOption = (n: number): DraftOption => ({ code: String(n), display: '', displayFr: '', coding: {}, option: {} });

/** An empty questionnaire. */
export const emptyDraft = (): Draft => ({ title: '', titleFr: '', description: '', descriptionFr: '', items: [], extra: {} });

/** Every item, depth first. */
export function allItems(items: DraftItem[]): DraftItem[] {
  return items.flatMap((i) => [i, ...allItems(i.children)]);
}

/** The repeating groups around each item (outermost first), by item key. */
function repeatingAround(items: DraftItem[], around: string[] = [], out = new Map<string, string[]>()): Map<string, string[]> {
  for (const i of items) {
    out.set(i.key, around);
    repeatingAround(i.children, i.type === 'group' && i.repeats ? [...around, i.key] : around, out);
  }
  return out;
}

/**
 * The questions a condition of item `key` may look at: answerable, not the item itself, and not
 * inside a repeating group the item is not in (answered once per instance, so which would it mean?).
 * Inside a dose of a medication, that is the dose's questions, the medication's and the rest.
 */
export function conditionQuestions(items: DraftItem[], key: string): DraftItem[] {
  const around = repeatingAround(items);
  const mine = around.get(key) ?? [];
  return allItems(items).filter((q) => answerable(q.type) && q.key !== key && (around.get(q.key) ?? []).every((g, n) => mine[n] === g));
}

const isHelp = (i: QuestionnaireItem) => i.type === 'display' && (i.extension ?? []).some((e) => e.url === ITEM_CONTROL_URL && e.valueCodeableConcept?.coding?.some((c) => c.code === 'help'));

/** A number, date or dateTime from a value[x] of an extension or enableWhen answer, as typed in a field. */
function valueText(v: Record<string, unknown> | undefined, prefix: string): string {
  if (!v) return '';
  for (const [k, val] of Object.entries(v)) {
    if (!k.startsWith(prefix) || k === prefix) continue;
    if (val && typeof val === 'object' && 'code' in val) return String((val as Coding).code ?? '');
    if (val && typeof val === 'object' && 'value' in val) return String((val as { value?: number }).value ?? '');
    if (val !== undefined) return String(val);
  }
  return '';
}

/** The builder's copy of a FHIR Questionnaire. `key` makes page keys. */
export function fromFhir(q: Questionnaire, key: () => string): Draft {
  const { title, _title, description, _description, item, ...rest } = q as Questionnaire & { _title?: Primitive; _description?: Primitive };
  const extra: Partial<Questionnaire> = { ...rest };
  delete extra.id;
  delete extra.url;
  delete extra.version;
  delete extra.meta;
  return { title: title ?? q.name ?? '', titleFr: frenchOf(_title), description: description ?? '', descriptionFr: frenchOf(_description), items: (item ?? []).map((i) => itemFrom(i, key)), extra };
}

function itemFrom(i: QuestionnaireItem, key: () => string): DraftItem {
  const { linkId, type, text, _text, required, repeats, answerOption, enableWhen, enableBehavior, maxLength, item, extension, ...extra } = i as QuestionnaireItem & { _text?: Primitive };
  const ext = (url: string) => (extension ?? []).find((e) => e.url === url) as Record<string, unknown> | undefined;
  const help = (item ?? []).find(isHelp);
  const unit = ext(QUESTIONNAIRE_UNIT_URL)?.valueCoding as Coding | undefined;
  const others = (extension ?? []).filter((e) => !MANAGED_EXTENSIONS.includes(e.url));
  return {
    key: key(),
    linkId,
    type: type as ItemType,
    text: text ?? '',
    textFr: frenchOf(_text),
    required: required === true,
    repeats: repeats === true,
    help: help?.text ?? '',
    helpFr: frenchOf((help as { _text?: Primitive } | undefined)?._text),
    options: (answerOption ?? []).map((o) => {
      const { valueCoding, ...option } = o;
      const { code, display, _display, ...coding } = (valueCoding ?? {}) as Coding & { _display?: Primitive };
      return { code: code ?? '', display: display ?? '', displayFr: frenchOf(_display), coding, option };
    }),
    minValue: valueText(ext(MIN_VALUE_URL), 'value'),
    maxValue: valueText(ext(MAX_VALUE_URL), 'value'),
    minLength: valueText(ext(MIN_LENGTH_URL), 'value'),
    maxLength: maxLength === undefined ? '' : String(maxLength),
    unitCode: unit?.code ?? '',
    unitDisplay: unit?.display ?? '',
    enableWhen: (enableWhen ?? []).map((c) => ({ question: c.question, operator: c.operator, answer: valueText(c as unknown as Record<string, unknown>, 'answer') })),
    enableBehavior: enableBehavior === 'all' ? 'all' : 'any',
    children: (item ?? []).filter((c) => c !== help).map((c) => itemFrom(c, key)),
    extra: { ...extra, ...(others.length ? { extension: others } : {}) },
  };
}

/** A number typed by a person ("3,5" as in French), or undefined. */
function parseNumber(s: string): number | undefined {
  const t = s.trim().replace(',', '.');
  if (!t) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/** A min/max value extension typed for the item (valueInteger, valueDecimal, valueDate or valueDateTime). */
function boundExtension(url: string, item: DraftItem, raw: string): Extension | null {
  const s = raw.trim();
  if (!s) return null;
  if (item.type === 'date') return { url, valueDate: s };
  if (item.type === 'dateTime') return { url, valueDateTime: s };
  const n = parseNumber(s);
  if (n === undefined) return null;
  return item.type === 'integer' ? { url, valueInteger: Math.trunc(n) } : { url, valueDecimal: n };
}

/** An enableWhen's answer[x] typed after the question it looks at. */
function conditionAnswer(c: DraftCondition, question: DraftItem | undefined): Partial<QuestionnaireItemEnableWhen> {
  if (c.operator === 'exists') return { answerBoolean: c.answer !== 'false' };
  const s = c.answer.trim();
  switch (question?.type) {
    case 'boolean':
      return { answerBoolean: s !== 'false' };
    case 'integer':
      return { answerInteger: Math.trunc(parseNumber(s) ?? 0) };
    case 'decimal':
      return { answerDecimal: parseNumber(s) ?? 0 };
    case 'quantity':
      return { answerQuantity: { value: parseNumber(s) ?? 0, ...(question.unitCode ? { system: UCUM, code: question.unitCode } : {}) } };
    case 'date':
      return { answerDate: s };
    case 'dateTime':
      return { answerDateTime: s };
    case 'choice':
    case 'open-choice': {
      const option = question.options.find((o) => o.code === s);
      if (option || question.type === 'choice') return { answerCoding: { ...(option?.coding.system ? { system: option.coding.system } : {}), code: s } };
      return { answerString: s };
    }
    default:
      return { answerString: s };
  }
}

/** The FHIR R4 Questionnaire the builder publishes. */
export function toFhir(draft: Draft): Questionnaire {
  const byLinkId = new Map(allItems(draft.items).map((i) => [i.linkId, i]));
  const title = frenchExtension(draft.titleFr);
  const description = frenchExtension(draft.descriptionFr);
  return {
    ...draft.extra,
    resourceType: 'Questionnaire',
    status: draft.extra.status ?? 'active',
    title: draft.title.trim(),
    ...(title ? { _title: title } : {}),
    ...(draft.description.trim() ? { description: draft.description.trim() } : {}),
    ...(description ? { _description: description } : {}),
    ...(draft.items.length ? { item: draft.items.map((i) => itemTo(i, byLinkId)) } : {}),
  } as Questionnaire;
}

function itemTo(i: DraftItem, byLinkId: Map<string, DraftItem>): QuestionnaireItem {
  const out: QuestionnaireItem & Record<string, unknown> = { ...(i.extra as QuestionnaireItem), linkId: i.linkId.trim(), type: i.type };
  delete out.extension;
  if (i.text.trim()) out.text = i.text.trim();
  const fr = frenchExtension(i.textFr);
  if (fr) out._text = fr;
  if (answerable(i.type) && i.required) out.required = true;
  if (i.type !== 'display' && i.repeats) out.repeats = true;
  if (hasOptions(i.type)) {
    out.answerOption = i.options.map((o) => {
      const d = frenchExtension(o.displayFr);
      return { ...o.option, valueCoding: { ...o.coding, code: o.code.trim(), ...(o.display.trim() ? { display: o.display.trim() } : {}), ...(d ? { _display: d } : {}) } as Coding };
    });
  } else {
    delete out.answerOption;
  }
  const extension: Extension[] = [...((i.extra.extension as Extension[] | undefined) ?? [])];
  if (hasValueRange(i.type)) {
    const min = boundExtension(MIN_VALUE_URL, i, i.minValue);
    const max = boundExtension(MAX_VALUE_URL, i, i.maxValue);
    if (min) extension.push(min);
    if (max) extension.push(max);
  }
  if (hasLength(i.type)) {
    const min = parseNumber(i.minLength);
    const max = parseNumber(i.maxLength);
    if (min !== undefined) extension.push({ url: MIN_LENGTH_URL, valueInteger: Math.trunc(min) });
    if (max !== undefined) out.maxLength = Math.trunc(max);
    else delete out.maxLength;
  } else {
    delete out.maxLength;
  }
  // FHIR allows a unit on integers and decimals too (a pulse in /min); only quantities edit it here.
  if ((i.type === 'quantity' || i.type === 'integer' || i.type === 'decimal') && i.unitCode.trim()) {
    extension.push({ url: QUESTIONNAIRE_UNIT_URL, valueCoding: { system: UCUM, code: i.unitCode.trim(), ...(i.unitDisplay.trim() ? { display: i.unitDisplay.trim() } : {}) } });
  }
  if (extension.length) out.extension = extension;
  if (i.enableWhen.length) {
    out.enableWhen = i.enableWhen.map((c) => ({ question: c.question, operator: c.operator, ...conditionAnswer(c, byLinkId.get(c.question)) }) as QuestionnaireItemEnableWhen);
    if (i.enableWhen.length > 1) out.enableBehavior = i.enableBehavior;
  }
  const children = i.type === 'group' ? i.children.map((c) => itemTo(c, byLinkId)) : [];
  if (i.help.trim()) {
    const helpFr = frenchExtension(i.helpFr);
    children.push({
      linkId: `${i.linkId.trim()}-help`,
      type: 'display',
      text: i.help.trim(),
      ...(helpFr ? { _text: helpFr } : {}),
      extension: [{ url: ITEM_CONTROL_URL, valueCodeableConcept: { coding: [{ system: ITEM_CONTROL_SYSTEM, code: 'help' }] } }],
    } as QuestionnaireItem);
  }
  if (children.length) out.item = children;
  return out;
}

// --- moving items -----------------------------------------------------------------------------

/** Where an item sits: its sibling list and index, and its parent group (null at the top). */
export interface Place {
  list: DraftItem[];
  index: number;
  parent: DraftItem | null;
}

/** The place of the item with `key`. */
export function placeOf(items: DraftItem[], key: string, parent: DraftItem | null = null): Place | null {
  for (let n = 0; n < items.length; n++) {
    if (items[n]!.key === key) return { list: items, index: n, parent };
    const inner = placeOf(items[n]!.children, key, items[n]!);
    if (inner) return inner;
  }
  return null;
}

/** A copy of the tree (items are replaced, never changed in place, so Lit sees each change). */
export function cloneItems(items: DraftItem[]): DraftItem[] {
  return items.map((i) => ({ ...i, options: i.options.map((o) => ({ ...o })), enableWhen: i.enableWhen.map((c) => ({ ...c })), children: cloneItems(i.children) }));
}

/** The result of a move: the new tree and where the item landed (null when it could not move). */
export interface Moved {
  items: DraftItem[];
  place: Place;
}

function landed(items: DraftItem[], key: string): Moved {
  return { items, place: placeOf(items, key)! };
}

/** Moves an item one place up (-1) or down (+1) among its siblings. */
export function moveBy(items: DraftItem[], key: string, delta: -1 | 1): Moved | null {
  const next = cloneItems(items);
  const p = placeOf(next, key);
  if (!p) return null;
  const to = p.index + delta;
  if (to < 0 || to >= p.list.length) return null;
  const [it] = p.list.splice(p.index, 1);
  p.list.splice(to, 0, it!);
  return landed(next, key);
}

/** Moves an item into the group just above it (as its last item). */
export function moveIntoPrevious(items: DraftItem[], key: string): Moved | null {
  const next = cloneItems(items);
  const p = placeOf(next, key);
  const target = p && p.index > 0 ? p.list[p.index - 1] : undefined;
  if (!p || target?.type !== 'group') return null;
  const [it] = p.list.splice(p.index, 1);
  target.children.push(it!);
  return landed(next, key);
}

/** Moves an item out of its group, just after the group. */
export function moveOut(items: DraftItem[], key: string): Moved | null {
  const next = cloneItems(items);
  const p = placeOf(next, key);
  if (!p?.parent) return null;
  const outer = placeOf(next, p.parent.key)!;
  const [it] = p.list.splice(p.index, 1);
  outer.list.splice(outer.index + 1, 0, it!);
  return landed(next, key);
}

/** Moves an item before another (`before`), or to the end of a group (`into`); refused into itself or its own insides. */
export function moveTo(items: DraftItem[], key: string, target: { before: string } | { into: string }): Moved | null {
  const next = cloneItems(items);
  const p = placeOf(next, key);
  if (!p) return null;
  const moving = p.list[p.index]!;
  const targetKey = 'before' in target ? target.before : target.into;
  if (targetKey === key || allItems(moving.children).some((c) => c.key === targetKey)) return null;
  p.list.splice(p.index, 1);
  if ('into' in target) {
    const group = allItems(next).find((i) => i.key === target.into);
    if (group?.type !== 'group') return null;
    group.children.push(moving);
  } else {
    const t = placeOf(next, target.before);
    if (!t) return null;
    t.list.splice(t.index, 0, moving);
  }
  return landed(next, key);
}

/** Replaces the item with `key` by `change(item)`. */
export function updateItem(items: DraftItem[], key: string, change: (i: DraftItem) => DraftItem): DraftItem[] {
  return items.map((i) => (i.key === key ? change(i) : i.children.length ? { ...i, children: updateItem(i.children, key, change) } : i));
}

/** Removes the item with `key` (and its insides). */
export function removeItem(items: DraftItem[], key: string): DraftItem[] {
  return items.filter((i) => i.key !== key).map((i) => (i.children.length ? { ...i, children: removeItem(i.children, key) } : i));
}

/** A problem found before publishing: what and where (the item's key, or null for the questionnaire). */
export interface DraftProblem {
  key: string | null;
  field: 'title' | 'linkId' | 'text' | 'options' | 'enableWhen' | 'children';
  code: 'titleMissing' | 'linkIdMissing' | 'linkIdTwice' | 'textMissing' | 'optionsMissing' | 'optionCode' | 'conditionQuestion' | 'conditionScope' | 'conditionAnswer' | 'groupEmpty' | 'repeatTooDeep';
}

/** The first problems that would make the server refuse the questionnaire, found before sending it. */
export function draftProblems(draft: Draft): DraftProblem[] {
  const out: DraftProblem[] = [];
  if (!draft.title.trim()) out.push({ key: null, field: 'title', code: 'titleMissing' });
  const items = allItems(draft.items);
  const around = repeatingAround(draft.items);
  const seen = new Set<string>();
  for (const i of items) {
    const id = i.linkId.trim();
    if (!id) out.push({ key: i.key, field: 'linkId', code: 'linkIdMissing' });
    else if (seen.has(id) || seen.has(`${id}-help`)) out.push({ key: i.key, field: 'linkId', code: 'linkIdTwice' });
    seen.add(id);
    if (i.help.trim()) seen.add(`${id}-help`);
    if (!i.text.trim()) out.push({ key: i.key, field: 'text', code: 'textMissing' });
    if (i.type === 'choice' && i.options.length === 0) out.push({ key: i.key, field: 'options', code: 'optionsMissing' });
    if (hasOptions(i.type) && i.options.some((o) => !o.code.trim())) out.push({ key: i.key, field: 'options', code: 'optionCode' });
    if (i.type === 'group' && i.repeats && i.children.length === 0) out.push({ key: i.key, field: 'children', code: 'groupEmpty' });
    if (i.type === 'group' && i.repeats && around.get(i.key)!.length >= MAX_REPEAT_DEPTH) out.push({ key: i.key, field: 'children', code: 'repeatTooDeep' });
    for (const c of i.enableWhen) {
      if (!c.question || !items.some((q) => q.linkId === c.question && q.key !== i.key)) out.push({ key: i.key, field: 'enableWhen', code: 'conditionQuestion' });
      else if (!conditionQuestions(draft.items, i.key).some((q) => q.linkId === c.question)) out.push({ key: i.key, field: 'enableWhen', code: 'conditionScope' });
      else if (c.operator !== 'exists' && !c.answer.trim() && items.find((q) => q.linkId === c.question)?.type !== 'boolean') out.push({ key: i.key, field: 'enableWhen', code: 'conditionAnswer' });
    }
  }
  return out;
}

/** The item a server path points at (`Questionnaire.item[2].item[0].linkId` or `Questionnaire.item(linkId)…`). */
export function itemAtPath(items: DraftItem[], path: string): DraftItem | null {
  const byId = /^Questionnaire\.item\(([^)]+)\)/.exec(path);
  if (byId) return allItems(items).find((i) => i.linkId === byId[1]) ?? null;
  let list = items;
  let found: DraftItem | null = null;
  for (const m of path.matchAll(/\.item\[(\d+)\]/g)) {
    const next: DraftItem | undefined = list[Number(m[1])];
    if (!next) break;
    found = next;
    list = next.children;
  }
  return found;
}
