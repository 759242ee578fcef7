/**
 * @summary The clinic's messaging rules: mode, categories, limits, quota, promise, hours, closures,
 * answering blocks, auto-reply and emergency notice. Saved rules apply to the widget at once.
 */
import { html, nothing } from 'lit';
import { state } from 'lit/decorators.js';
import { defineOnce } from '../../shared/define-once.js';
import { WEEKDAYS, type CannedReply, type Category, type MessagingSettings, type WeeklySchedule } from '../../shared/messaging.js';
import { AdminPage } from '../admin-page.js';

/** Thrown for a line of a text field that cannot be read; the message names it. */
class FormatError extends Error {}

function scheduleText(s: WeeklySchedule, day: (typeof WEEKDAYS)[number]): string {
  return s[day].map((r) => `${r.start}-${r.end}`).join(', ');
}

function parseRanges(text: string, bad: (line: string) => string) {
  return text
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)
    .map((range) => {
      const m = /^(\d{2}:\d{2})\s*[-–]\s*(\d{2}:\d{2})$/.exec(range);
      if (!m) throw new FormatError(bad(range));
      return { start: m[1]!, end: m[2]! };
    });
}

export class SmMessagingSettingsPage extends AdminPage {
  @state() private settings: MessagingSettings | null = null;
  @state() private canned: CannedReply[] = [];

  connectedCallback(): void {
    super.connectedCallback();
    void this.run(async () => {
      [this.settings, this.canned] = await Promise.all([this.api.messagingSettings(), this.api.cannedReplies()]);
    });
  }

  private addCanned(e: SubmitEvent) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const f = new FormData(form);
    return this.run(async () => {
      this.canned = [...this.canned, await this.api.addCannedReply(String(f.get('title')).trim(), String(f.get('body')))];
      form.reset();
    }, this.t('common.saved'));
  }

  private removeCanned(id: string) {
    return this.run(async () => {
      await this.api.deleteCannedReply(id);
      this.canned = this.canned.filter((c) => c.id !== id);
    });
  }

  /** Templates: everyone reads them (they are used in replies); only administrators add or remove them. */
  private cannedSection() {
    const mayEdit = this.me.staff.role === 'admin';
    return html`<section class="panel" aria-labelledby="canned-title">
      <h2 id="canned-title">${this.t('admin.canned.title')}</h2>
      ${this.canned.length === 0
        ? html`<p class="muted">${this.t('admin.canned.empty')}</p>`
        : html`<ul>
            ${this.canned.map(
              (c) => html`<li><strong>${c.title}</strong>: ${c.body}
                ${mayEdit ? html`<button class="secondary" @click=${() => this.removeCanned(c.id)}>${this.t('admin.canned.remove', { name: c.title })}</button>` : nothing}</li>`,
            )}
          </ul>`}
      ${mayEdit
        ? html`<form class="grid" @submit=${this.addCanned}>
            <label>${this.t('admin.canned.name')} <input name="title" required maxlength="120" /></label>
            <label>${this.t('admin.canned.body')} <textarea name="body" required maxlength="5000"></textarea></label>
            <button ?disabled=${this.busy}>${this.t('admin.canned.add')}</button>
          </form>`
        : nothing}
    </section>`;
  }

  /** Reads the form; throws FormatError naming a line that cannot be read. */
  private parse(f: FormData): MessagingSettings {
    const text = (n: string) => String(f.get(n) ?? '').trim();
    const optionalInt = (n: string) => (text(n) ? Number(text(n)) : null);
    const bad = (line: string) => this.t('admin.messaging.badLine', { line });
    const schedule = (prefix: string) => Object.fromEntries(WEEKDAYS.map((d) => [d, parseRanges(text(`${prefix}-${d}`), bad)])) as WeeklySchedule;
    const categories: Category[] = text('categories')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .map((line) => {
        const [id, en, fr] = line.split('|').map((x) => x.trim());
        if (!id || !en || !fr) throw new FormatError(bad(line));
        return { id, en, fr };
      });
    return {
      mode: text('mode') as MessagingSettings['mode'],
      categories,
      subjectRequired: f.get('subjectRequired') === 'on',
      maxChars: optionalInt('maxChars'),
      maxWords: optionalInt('maxWords'),
      attachmentMaxMb: Number(text('attachmentMaxMb')),
      weeklyThreadQuota: optionalInt('weeklyThreadQuota'),
      responseBusinessDays: Number(text('responseBusinessDays')),
      timeZone: text('timeZone'),
      hours: schedule('hours'),
      closures: text('closures').split(/\s+/).filter(Boolean),
      answeringBlocks: schedule('blocks'),
      acceptNewOutsideHours: f.get('acceptNewOutsideHours') === 'on',
      autoReply: { en: text('autoReplyEn'), fr: text('autoReplyFr') },
      emergencyNotice: { en: text('emergencyEn'), fr: text('emergencyFr') },
      staffDigestEmail: f.get('staffDigestEmail') === 'on',
    };
  }

  private save(e: SubmitEvent) {
    e.preventDefault();
    let next: MessagingSettings;
    try {
      next = this.parse(new FormData(e.target as HTMLFormElement));
    } catch (err) {
      if (!(err instanceof FormatError)) throw err;
      this.status = null;
      this.error = err.message;
      return;
    }
    return this.run(async () => {
      this.settings = await this.api.saveMessagingSettings(next);
    }, this.t('common.saved'));
  }

  private scheduleFields(prefix: string, legend: string, s: WeeklySchedule) {
    return html`<fieldset>
      <legend>${legend}</legend>
      ${WEEKDAYS.map((d) => html`<label>${this.t(`msg.day.${d}`)} <input name="${prefix}-${d}" .value=${scheduleText(s, d)} /></label>`)}
    </fieldset>`;
  }

  render() {
    const s = this.settings;
    if (!s) return html`<h1>${this.t('admin.messaging.title')}</h1>${this.error ? html`<p class="error" role="alert">${this.error}</p>` : html`<p role="status">${this.t('common.loading')}</p>`}`;
    const readOnly = this.me.staff.role !== 'admin';
    return html`<h1>${this.t('admin.messaging.title')}</h1>
      <form class="grid panel" @submit=${this.save}>
        <fieldset class="plain" ?disabled=${readOnly}>
          <label>${this.t('admin.messaging.mode')}
            <select name="mode">${(['two-way', 'reply-only', 'one-way'] as const).map((m) => html`<option value=${m} ?selected=${s.mode === m}>${this.t(`admin.messaging.mode.${m}`)}</option>`)}</select>
          </label>
          <label>${this.t('admin.messaging.categories')} <textarea name="categories" .value=${s.categories.map((c) => `${c.id} | ${c.en} | ${c.fr}`).join('\n')}></textarea></label>
          <label><span><input type="checkbox" name="subjectRequired" ?checked=${s.subjectRequired} /> ${this.t('admin.messaging.subjectRequired')}</span></label>
          <label>${this.t('admin.messaging.maxChars')} <input name="maxChars" type="number" min="50" max="20000" .value=${s.maxChars?.toString() ?? ''} /></label>
          <label>${this.t('admin.messaging.maxWords')} <input name="maxWords" type="number" min="10" max="5000" .value=${s.maxWords?.toString() ?? ''} /></label>
          <label>${this.t('admin.messaging.attachmentMb')} <input name="attachmentMaxMb" type="number" min="1" max="25" required .value=${String(s.attachmentMaxMb)} /></label>
          <label>${this.t('admin.messaging.quota')} <input name="weeklyThreadQuota" type="number" min="1" max="50" .value=${s.weeklyThreadQuota?.toString() ?? ''} /></label>
          <label>${this.t('admin.messaging.responseDays')} <input name="responseBusinessDays" type="number" min="1" max="10" required .value=${String(s.responseBusinessDays)} /></label>
          <label>${this.t('admin.messaging.timeZone')} <input name="timeZone" required .value=${s.timeZone} /></label>
          ${this.scheduleFields('hours', this.t('admin.messaging.hours'), s.hours)}
          <label>${this.t('admin.messaging.closures')} <textarea name="closures" .value=${s.closures.join('\n')}></textarea></label>
          ${this.scheduleFields('blocks', this.t('admin.messaging.blocks'), s.answeringBlocks)}
          <label><span><input type="checkbox" name="acceptNewOutsideHours" ?checked=${s.acceptNewOutsideHours} /> ${this.t('admin.messaging.acceptOutside')}</span></label>
          <label>${this.t('admin.messaging.autoReplyEn')} <textarea name="autoReplyEn" lang="en" .value=${s.autoReply.en}></textarea></label>
          <label>${this.t('admin.messaging.autoReplyFr')} <textarea name="autoReplyFr" lang="fr" .value=${s.autoReply.fr}></textarea></label>
          <label>${this.t('admin.messaging.emergencyEn')} <textarea name="emergencyEn" lang="en" .value=${s.emergencyNotice.en}></textarea></label>
          <label>${this.t('admin.messaging.emergencyFr')} <textarea name="emergencyFr" lang="fr" .value=${s.emergencyNotice.fr}></textarea></label>
          <label><span><input type="checkbox" name="staffDigestEmail" ?checked=${s.staffDigestEmail} /> ${this.t('admin.messaging.digest')}</span></label>
        </fieldset>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        ${this.status ? html`<p class="ok" role="status">${this.status}</p>` : nothing}
        ${readOnly ? nothing : html`<button ?disabled=${this.busy}>${this.t('common.save')}</button>`}
      </form>
      ${this.cannedSection()}`;
  }
}

defineOnce('sm-messaging-settings-page', SmMessagingSettingsPage);

declare global {
  interface HTMLElementTagNameMap {
    'sm-messaging-settings-page': SmMessagingSettingsPage;
  }
}
