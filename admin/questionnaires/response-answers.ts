/** A response's answers as staff read them (the print view): each question's text and its answers, repeating groups instance by instance. */
import type { QuestionnaireItem } from '@medplum/fhirtypes';
import { html, type TemplateResult } from 'lit';
import { catalog, translate, type MessageKey } from '../../shared/i18n-all.js';
import type { Lang } from '../../shared/lang.js';
import { codingDisplay, isQuestion, isRepeatingGroup, itemText, scopeItems, type AnswerValue, type Answers } from '../../shared/questionnaire-logic.js';

/** A safety flag's words for staff (its code when it has none, say from an imported questionnaire). */
export function flagText(code: string, lang: Lang): string {
  const key = `admin.q.flag.${code}`;
  return key in catalog(lang) ? translate(lang, key as MessageKey) : code;
}

/** One answer as text (a file by its name: the printed copy carries no file). */
export function answerText(item: QuestionnaireItem, a: AnswerValue, lang: Lang): string {
  if (a.valueCoding) {
    const option = item.answerOption?.find((o) => o.valueCoding?.code === a.valueCoding!.code)?.valueCoding;
    return codingDisplay(option ?? a.valueCoding, lang);
  }
  if (a.valueBoolean !== undefined) return translate(lang, a.valueBoolean ? 'common.yes' : 'common.no');
  if (a.valueQuantity) return `${a.valueQuantity.value ?? ''} ${a.valueQuantity.unit ?? a.valueQuantity.code ?? ''}`.trim();
  if (a.valueAttachment) return a.valueAttachment.title || translate(lang, 'admin.q.noAnswer');
  if (a.valueDateTime) return a.valueDateTime.length > 10 ? new Intl.DateTimeFormat(lang === 'fr' ? 'fr-CA' : 'en-CA', { dateStyle: 'long', timeStyle: 'short' }).format(new Date(a.valueDateTime)) : a.valueDateTime;
  return String(a.valueString ?? a.valueInteger ?? a.valueDecimal ?? a.valueDate ?? '');
}

/** The questions of one scope and their answers; each instance of a repeating group is its own list. */
export function answerList(items: QuestionnaireItem[] | undefined, answers: Answers, lang: Lang): TemplateResult {
  return html`<dl class="answers">
    ${scopeItems(items)
      .filter(isQuestion)
      .map((item) => {
        const given = answers[item.linkId] ?? [];
        const none = translate(lang, 'admin.q.noAnswer');
        if (isRepeatingGroup(item)) {
          return html`<div class="qa"><dt>${itemText(item, lang)}</dt>
            <dd>${given.length === 0 ? none : given.map((inst, n) => html`<p>${translate(lang, 'q.group.instance', { group: itemText(item, lang), n: n + 1 })}</p>${answerList(item.item, inst.item ?? {}, lang)}`)}</dd></div>`;
        }
        return html`<div class="qa"><dt>${itemText(item, lang)}</dt><dd>${given.length === 0 ? none : given.map((a) => answerText(item, a, lang)).join(', ')}</dd></div>`;
      })}
  </dl>`;
}
