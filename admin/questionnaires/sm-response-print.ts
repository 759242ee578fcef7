/**
 * @summary One response revision laid out for print or PDF, alone on its route
 * (/admin/questionnaires/responses/:id/print): clinic, patient, questionnaire and version, date,
 * each question with its answers, scores and bands. Reading it is audited as a view; the print button
 * opens the browser's print dialog (which also saves as PDF).
 */
import { css, html, nothing } from 'lit';
import { state } from 'lit/decorators.js';
import { defineOnce } from '../../shared/define-once.js';
import { describeFailure } from '../../shared/error-text.js';
import type { ResponsePrint } from '../../shared/questionnaire-responses.js';
import type { ResponseResult } from '../../shared/questionnaires.js';
import { AdminPage } from '../admin-page.js';
import { answerList, flagText } from './response-answers.js';
import { ResponsesAdminApi } from './response-api.js';

export class SmResponsePrint extends AdminPage {
  static styles = [
    ...AdminPage.styles,
    css`
      article {
        max-width: 48rem;
        color: #1f2933;
      }
      .clinic {
        font-size: 1.2rem;
        font-weight: 700;
        margin: 0;
      }
      .confidential {
        margin: 0 0 1rem;
        font-weight: 600;
      }
      dl {
        display: grid;
        grid-template-columns: minmax(8rem, 1fr) 2fr;
        gap: 0.25rem 1rem;
        margin: 0 0 1rem;
      }
      dl.answers {
        grid-template-columns: 1fr;
      }
      .qa {
        display: grid;
        grid-template-columns: minmax(10rem, 3fr) 2fr;
        gap: 0 1rem;
        padding: 0.35rem 0;
        border-bottom: 1px solid #c5ced6;
        break-inside: avoid;
      }
      dt {
        font-weight: 600;
      }
      dd {
        margin: 0;
      }
      .flag {
        color: #b3261e;
        font-weight: 700;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.75rem;
        align-items: center;
        margin-bottom: 1rem;
      }
      @media (max-width: 30rem) {
        dl,
        .qa {
          grid-template-columns: 1fr;
        }
      }
      @media print {
        .actions,
        [role='status'] {
          display: none;
        }
        article {
          max-width: none;
          font-size: 11pt;
        }
        h1 {
          font-size: 16pt;
        }
        h2 {
          font-size: 13pt;
          break-after: avoid;
        }
      }
    `,
  ];

  @state() private data: ResponsePrint | null = null;
  private responses: ResponsesAdminApi | null = null;

  connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load() {
    this.responses ??= new ResponsesAdminApi(this.api);
    try {
      this.data = await this.responses.print(this.routeParams.id ?? '');
    } catch (err) {
      this.error = describeFailure(this.lang, err);
    }
    await this.updateComplete;
    // A new screen: focus its heading (or the refusal).
    this.renderRoot.querySelector<HTMLElement>('h1, [role="alert"]')?.focus();
  }

  private date(iso: string, withTime = false) {
    return new Intl.DateTimeFormat(this.lang === 'fr' ? 'fr-CA' : 'en-CA', withTime ? { dateStyle: 'long', timeStyle: 'short' } : { dateStyle: 'long' }).format(new Date(iso));
  }

  private scores(result: ResponseResult | null) {
    if (!result || (result.scores.length === 0 && result.flags.length === 0)) return html`<p>${this.t('admin.qr.print.noScores')}</p>`;
    return html`<dl>
        ${result.scores.map((s) => html`<dt>${this.lang === 'fr' ? s.fr : s.en}</dt><dd>${s.value}${s.band ? html` – ${this.lang === 'fr' ? s.band.fr : s.band.en}` : nothing}</dd>`)}
      </dl>
      ${result.flags.map((f) => html`<p class="flag">${this.t('admin.q.flag')}: ${flagText(f, this.lang)}</p>`)}`;
  }

  render() {
    const back = html`<a href="/admin/questionnaires">${this.t('admin.qr.print.back')}</a>`;
    if (this.error) return html`<p class="error" role="alert" tabindex="-1">${this.error}</p><p>${back}</p>`;
    const d = this.data;
    if (!d) return html`<p class="muted" role="status">${this.t('common.loading')}</p>`;
    const title = this.lang === 'fr' ? d.titleFr : d.title;
    const r = d.response;
    return html`<article>
      <div class="actions">
        <button @click=${() => window.print()}>${this.t('admin.qr.print.do')}</button>
        ${back}
      </div>
      <p class="clinic">${d.clinicName}</p>
      <p class="confidential">${this.t('admin.qr.print.confidential')}</p>
      <h1 tabindex="-1">${title}</h1>
      <dl>
        <dt>${this.t('admin.qr.print.patient')}</dt>
        <dd>${d.patient.name}</dd>
        <dt>${this.t('admin.qr.print.dob')}</dt>
        <dd>${d.patient.dateOfBirth}</dd>
        <dt>${this.t('admin.qr.print.questionnaire')}</dt>
        <dd>${title} (${this.t('admin.q.version', { version: d.version })})</dd>
        <dt>${this.t('admin.qr.print.submitted')}</dt>
        <dd>${r.submittedAt ? this.date(r.submittedAt, true) : this.t('admin.qr.print.notSubmitted', { date: this.date(r.updatedAt, true) })}</dd>
        <dt>${this.t('admin.qr.print.revision')}</dt>
        <dd>${r.revision} (${this.t(`admin.q.rev.${r.status}`)})</dd>
      </dl>
      <h2>${this.t('admin.qr.print.scores')}</h2>
      ${this.scores(r.result)}
      <h2>${this.t('admin.qr.print.answers')}</h2>
      ${answerList(d.questionnaire.item, r.answers, this.lang)}
    </article>`;
  }
}

defineOnce('sm-response-print', SmResponsePrint);

declare global {
  interface HTMLElementTagNameMap {
    'sm-response-print': SmResponsePrint;
  }
}
