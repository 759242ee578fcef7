/**
 * @summary The clinic's recurring questionnaires (remote monitoring): who gets which, how often, the
 * next send and the last day, with a Stop button for each running one. Stopping asks first, keeps
 * the assignments already sent, and moves focus to the sentence that says so. Part of the
 * questionnaires page, which calls `reload()` after a repeating send.
 */
import { css, html, nothing } from 'lit';
import { state } from 'lit/decorators.js';
import { defineOnce } from '../../shared/define-once.js';
import { describeFailure } from '../../shared/error-text.js';
import { formatDate, formatDateTime } from '../../shared/intl.js';
import { translatePlural } from '../../shared/i18n-all.js';
import type { QuestionnaireSchedule } from '../../shared/questionnaire-schedules.js';
import { AdminPage } from '../admin-page.js';

export class SmQuestionnaireSchedules extends AdminPage {
  static styles = [
    ...AdminPage.styles,
    css`
      .scroll {
        overflow-x: auto;
      }
    `,
  ];

  @state() private schedules: QuestionnaireSchedule[] | null = null;

  connectedCallback(): void {
    super.connectedCallback();
    void this.reload();
  }

  protected override describeError(err: unknown): string {
    return describeFailure(this.lang, err);
  }

  /** Reads the list again (after a repeating send). */
  async reload(): Promise<void> {
    try {
      this.schedules = await this.api.questionnaireSchedules();
    } catch (err) {
      this.error = this.describeError(err);
    }
  }

  private titleOf(s: QuestionnaireSchedule): string {
    return this.lang === 'fr' ? s.titleFr : s.title;
  }

  private async stop(s: QuestionnaireSchedule) {
    const vars = { questionnaire: this.titleOf(s), name: s.patientName };
    if (!window.confirm(this.t('admin.q.sched.confirm', vars))) return;
    await this.run(async () => {
      await this.api.stopQuestionnaireSchedule(s.id);
      await this.reload();
    }, this.t('admin.q.sched.stopped', vars));
    await this.updateComplete;
    // The button is gone: the sentence saying what happened takes the focus.
    this.renderRoot.querySelector<HTMLElement>('.ok, .error')?.focus();
  }

  private state(s: QuestionnaireSchedule) {
    if (s.stoppedAt) return this.t('admin.q.sched.stoppedOn', { date: formatDate(this.lang, s.stoppedAt) });
    if (!s.nextAt) return this.t('admin.q.sched.ended');
    return formatDateTime(this.lang, s.nextAt);
  }

  render() {
    return html`<section class="panel" aria-labelledby="schedules-title">
      <h2 id="schedules-title">${this.t('admin.q.sched.title')}</h2>
      ${this.status ? html`<p class="ok" role="status" tabindex="-1">${this.status}</p>` : nothing}
      ${this.error ? html`<p class="error" role="alert" tabindex="-1">${this.error}</p>` : nothing}
      ${!this.schedules
        ? html`<p class="muted" role="status">${this.t('common.loading')}</p>`
        : this.schedules.length === 0
          ? html`<p class="muted">${this.t('admin.q.sched.none')}</p>`
          : html`<div class="scroll">
              <table>
                <thead>
                  <tr>
                    <th scope="col">${this.t('admin.q.sched.col.patient')}</th>
                    <th scope="col">${this.t('admin.q.sched.col.questionnaire')}</th>
                    <th scope="col">${this.t('admin.q.sched.col.repeats')}</th>
                    <th scope="col">${this.t('admin.q.sched.col.next')}</th>
                    <th scope="col">${this.t('admin.q.sched.col.until')}</th>
                    <td></td>
                  </tr>
                </thead>
                <tbody>
                  ${this.schedules.map(
                    (s) => html`<tr>
                      <td>${s.patientName}</td>
                      <td>${this.titleOf(s)}</td>
                      <td>${translatePlural(this.lang, `admin.q.sched.every.${s.unit}`, s.every)}</td>
                      <td>${this.state(s)}</td>
                      <td>${formatDate(this.lang, `${s.until}T12:00:00`)}</td>
                      <td>
                        ${s.stoppedAt || !s.nextAt
                          ? nothing
                          : html`<button type="button" ?disabled=${this.busy} aria-label=${this.t('admin.q.sched.stopLabel', { questionnaire: this.titleOf(s), name: s.patientName })} @click=${() => this.stop(s)}>
                              ${this.t('admin.q.sched.stop')}
                            </button>`}
                      </td>
                    </tr>`,
                  )}
                </tbody>
              </table>
            </div>`}
    </section>`;
  }
}

defineOnce('sm-questionnaire-schedules', SmQuestionnaireSchedules);

declare global {
  interface HTMLElementTagNameMap {
    'sm-questionnaire-schedules': SmQuestionnaireSchedules;
  }
}
