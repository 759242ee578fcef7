/**
 * @summary Booking: a day's appointments with cancel and "did not come", and the waitlist (with any
 * time held for an entry, and removal), for every staff member; for
 * administrators, the set-up too: rules, providers (with a private calendar feed), appointment types,
 * weekly hours and blocked time. Times are shown in the clinic's time zone.
 */
import { css, html, nothing } from 'lit';
import { state } from 'lit/decorators.js';
import type { AppointmentMode, AppointmentType, BookingException, BookingRules, Provider, StaffAppointment, StaffWaitlistEntry, WeekdayCode, WeeklyHours } from '../../shared/booking.js';
import { WEEKDAY_CODES } from '../../shared/booking.js';
import { defineOnce } from '../../shared/define-once.js';
import { ApiError } from '../../shared/fetch-json.js';
import type { MessageKey } from '../../shared/i18n-all.js';
import type { QuestionnaireSummary } from '../../shared/questionnaires.js';
import { AdminPage } from '../admin-page.js';
import { BookingAdminApi } from '../booking-api.js';

const MODES: AppointmentMode[] = ['in-person', 'phone', 'video'];

/** API error codes this page words in the reader's language (anything else: the shared sentences). */
const ERRORS: Record<string, MessageKey> = {
  sms_unavailable: 'error.sms_unavailable',
  invalid_range: 'admin.booking.error.invalidRange',
  not_booked: 'admin.booking.error.notBooked',
  not_found: 'admin.booking.error.notFound',
  invalid_request: 'admin.booking.error.invalid',
};

/** Today's date (YYYY-MM-DD) in a zone. */
function today(zone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/** The values of a submitted form. */
function fields(e: Event): { form: HTMLFormElement; get: (name: string) => string; all: (name: string) => string[] } {
  e.preventDefault();
  const form = e.target as HTMLFormElement;
  const data = new FormData(form);
  return { form, get: (n) => String(data.get(n) ?? '').trim(), all: (n) => data.getAll(n).map(String) };
}

export class SmBookingPage extends AdminPage {
  static styles = [
    ...AdminPage.styles,
    css`
      section {
        margin-block: 1.5rem;
      }
      form.inline {
        display: flex;
        flex-wrap: wrap;
        gap: 0.75rem;
        align-items: end;
        margin-top: 0.75rem;
      }
      fieldset {
        border: 1px solid #d9e2ec;
        border-radius: 4px;
      }
      fieldset label {
        display: inline-flex;
        gap: 0.25rem;
        margin-right: 0.5rem;
        font-weight: normal;
      }
      td button + button {
        margin-left: 0.5rem;
      }
      .feed {
        word-break: break-all;
      }
    `,
  ];

  @state() private zone = 'America/Toronto';
  @state() private date = '';
  @state() private day: StaffAppointment[] | null = null;
  /** The waitlist (null while loading). */
  @state() private waitlist: StaffWaitlistEntry[] | null = null;
  @state() private rules: BookingRules | null = null;
  @state() private providers: Provider[] = [];
  @state() private types: AppointmentType[] = [];
  /** The clinic's questionnaires a type may send after booking (admins only). */
  @state() private questionnaires: QuestionnaireSummary[] = [];
  @state() private hours: WeeklyHours[] = [];
  @state() private exceptions: BookingException[] = [];
  @state() private feedUrl: { providerId: string; url: string } | null = null;
  private booking!: BookingAdminApi;

  private get isAdmin() {
    return this.me?.staff.role === 'admin';
  }

  protected override describeError(err: unknown): string {
    if (err instanceof ApiError && err.status === 0) return this.t('common.offline');
    const key = err instanceof ApiError ? ERRORS[err.code] : undefined;
    return key ? this.t(key) : this.t('common.error');
  }

  connectedCallback(): void {
    super.connectedCallback();
    this.booking = new BookingAdminApi(this.api);
    void this.load();
  }

  private async load() {
    await this.run(async () => {
      this.zone = (await this.api.messagingSettings()).timeZone;
      this.date ||= today(this.zone);
      const [day, rules, providers, types, hours, exceptions] = await Promise.all([
        this.booking.day(this.date),
        this.booking.rules(),
        this.booking.providers(),
        this.booking.types(),
        this.booking.hours(),
        this.booking.exceptions(),
      ]);
      Object.assign(this, { day, rules, providers, types, hours, exceptions });
      if (this.isAdmin) this.questionnaires = await this.api.questionnaires();
    });
    await this.loadWaitlist();
  }

  /** The waitlist apart: if it cannot be read, the rest of the page still works. */
  private async loadWaitlist() {
    try {
      this.waitlist = await this.booking.waitlist();
    } catch {
      this.waitlist = [];
    }
  }

  private async removeFromWaitlist(e: StaffWaitlistEntry) {
    await this.run(() => this.booking.removeWaitlist(e.id).then(() => undefined), this.t('admin.booking.waitlistRemoved', { patient: e.patientName }));
    await this.loadWaitlist();
    // The row and its button are gone: the focus goes back to the list's heading.
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('#waitlist-h')?.focus();
  }

  private dateOnly(date: string) {
    return new Intl.DateTimeFormat(this.lang === 'fr' ? 'fr-CA' : 'en-CA', { timeZone: this.zone, dateStyle: 'medium' }).format(new Date(`${date}T12:00:00Z`));
  }

  private async reloadDay() {
    await this.run(async () => {
      this.day = await this.booking.day(this.date);
    });
  }

  private time(iso: string) {
    return new Intl.DateTimeFormat(this.lang === 'fr' ? 'fr-CA' : 'en-CA', { timeZone: this.zone, hour: 'numeric', minute: '2-digit' }).format(new Date(iso));
  }

  private when(iso: string) {
    return new Intl.DateTimeFormat(this.lang === 'fr' ? 'fr-CA' : 'en-CA', { timeZone: this.zone, dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
  }

  private providerName(id: string | null) {
    return id ? (this.providers.find((p) => p.id === id)?.name ?? '') : this.t('admin.booking.everyone');
  }

  private async setStatus(a: StaffAppointment, status: 'cancelled' | 'no-show') {
    await this.run(() => this.booking.setStatus(a.id, status).then(() => undefined));
    const error = this.error;
    await this.reloadDay();
    this.error ??= error;
  }

  /** Runs a set-up change, then reloads the set-up lists. */
  private async change(work: () => Promise<unknown>, form?: HTMLFormElement) {
    if (await this.run(async () => void (await work()), this.t('common.saved'))) {
      form?.reset();
      const [rules, providers, types, hours, exceptions] = await Promise.all([this.booking.rules(), this.booking.providers(), this.booking.types(), this.booking.hours(), this.booking.exceptions()]);
      Object.assign(this, { rules, providers, types, hours, exceptions });
    }
  }

  private saveRules(e: Event) {
    const f = fields(e);
    const n = (name: string) => Number(f.get(name));
    const rules: BookingRules = {
      enabled: f.all('enabled').length > 0,
      minNoticeMinutes: n('minNotice'),
      horizonDays: n('horizon'),
      maxUpcomingPerPatient: n('maxUpcoming'),
      cancelCutoffHours: n('cutoff'),
      slotStepMinutes: n('step'),
      reminderMinutesBefore: [...new Set(f.get('reminders').split(',').map((s) => Math.round(Number(s.trim()) * 60)).filter((m) => m > 0))],
      reminderChannel: (['email', 'sms', 'both'] as const).find((c) => c === f.get('reminderChannel')) ?? 'email',
    };
    void this.change(() => this.booking.saveRules(rules));
  }

  private addProvider(e: Event) {
    const f = fields(e);
    void this.change(() => this.booking.addProvider(f.get('name')), f.form);
  }

  private async newFeed(p: Provider) {
    await this.change(async () => (this.feedUrl = { providerId: p.id, url: (await this.booking.newFeed(p.id)).url }));
  }

  private addType(e: Event) {
    const f = fields(e);
    void this.change(
      () =>
        this.booking.addType({
          name: { en: f.get('nameEn'), fr: f.get('nameFr') },
          durationMinutes: Number(f.get('duration')),
          mode: f.get('mode') as AppointmentMode,
          location: f.get('location'),
          bufferBeforeMinutes: Number(f.get('before')),
          bufferAfterMinutes: Number(f.get('after')),
          existingPatientsOnly: f.get('who') !== 'new',
          providerIds: [],
          active: true,
          questionnaireId: f.get('questionnaire') || null,
        }),
      f.form,
    );
  }

  /** Changes only who may book a type: patients of the clinic, or new patients too (by request). */
  private setTypeWho(type: AppointmentType, who: string) {
    const { id, ...fields } = type;
    void this.change(() => this.booking.replaceType(id, { ...fields, existingPatientsOnly: who !== 'new' }));
  }

  private whoOptions(existingOnly: boolean) {
    return html`<option value="existing" ?selected=${existingOnly}>${this.t('admin.booking.who.existing')}</option>
      <option value="new" ?selected=${!existingOnly}>${this.t('admin.booking.who.new')}</option>`;
  }

  /** Changes only which questionnaire a type sends after booking. */
  private setTypeQuestionnaire(type: AppointmentType, questionnaireId: string) {
    const { id, ...fields } = type;
    void this.change(() => this.booking.replaceType(id, { ...fields, questionnaireId: questionnaireId || null }));
  }

  private questionnaireOptions(selected: string | null) {
    return html`<option value="" ?selected=${!selected}>${this.t('admin.booking.noQuestionnaire')}</option>
      ${this.questionnaires.map((q) => html`<option value=${q.id} ?selected=${q.id === selected}>${this.lang === 'fr' ? q.titleFr : q.title}</option>`)}`;
  }

  private addHours(e: Event) {
    const f = fields(e);
    void this.change(() => this.booking.addHours({ providerId: f.get('provider'), days: f.all('days') as WeekdayCode[], start: f.get('start'), end: f.get('end') }), f.form);
  }

  private addException(e: Event) {
    const f = fields(e);
    // datetime-local is the browser's own zone: staff set blocked time where the clinic is.
    void this.change(
      () => this.booking.addException({ providerId: f.get('provider') || null, startsAt: new Date(f.get('start')).toISOString(), endsAt: new Date(f.get('end')).toISOString(), label: f.get('label') }),
      f.form,
    );
  }

  render() {
    return html`<h1>${this.t('admin.booking.title')}</h1>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <p role="status" class="ok">${this.status ?? ''}</p>
      ${this.dayList()} ${this.waitlistSection()} ${this.isAdmin ? this.setup() : nothing}`;
  }

  private dayList() {
    return html`<section aria-labelledby="day-h">
      <h2 id="day-h">${this.t('admin.booking.day')}</h2>
      <label
        >${this.t('admin.booking.date')}
        <input
          type="date"
          .value=${this.date}
          @change=${(e: Event) => {
            this.date = (e.target as HTMLInputElement).value;
            void this.reloadDay();
          }}
      /></label>
      ${!this.day
        ? html`<p class="muted">${this.t('common.loading')}</p>`
        : this.day.length === 0
          ? html`<p class="muted">${this.t('admin.booking.dayEmpty')}</p>`
          : html`<table>
              <thead>
                <tr>
                  <th scope="col">${this.t('admin.booking.time')}</th>
                  <th scope="col">${this.t('admin.booking.patient')}</th>
                  <th scope="col">${this.t('admin.booking.types')}</th>
                  <th scope="col">${this.t('admin.booking.providers')}</th>
                  <th scope="col">${this.t('admin.booking.status')}</th>
                  <th scope="col"><span class="visually-hidden">${this.t('admin.booking.cancel')}</span></th>
                </tr>
              </thead>
              <tbody>
                ${this.day.map(
                  (a) => html`<tr>
                    <td>${this.time(a.startsAt)}–${this.time(a.endsAt)}</td>
                    <td>${a.patientName}</td>
                    <td>${a.typeName[this.lang]}</td>
                    <td>${a.providerName}</td>
                    <td>${this.t(`admin.booking.status.${a.status}`)}</td>
                    <td>
                      ${a.status === 'booked'
                        ? html`<button class="secondary" ?disabled=${this.busy} @click=${() => this.setStatus(a, 'cancelled')} aria-label="${this.t('admin.booking.cancel')}: ${a.patientName}, ${this.time(a.startsAt)}">${this.t('admin.booking.cancel')}</button>${Date.parse(a.startsAt) <= Date.now()
                              ? html`<button class="secondary" ?disabled=${this.busy} @click=${() => this.setStatus(a, 'no-show')}>${this.t('admin.booking.noShow')}</button>`
                              : nothing}`
                        : nothing}
                    </td>
                  </tr>`,
                )}
              </tbody>
            </table>`}
    </section>`;
  }

  private waitlistSection() {
    const list = this.waitlist;
    return html`<section aria-labelledby="waitlist-h">
      <h2 id="waitlist-h" tabindex="-1">${this.t('admin.booking.waitlist')}</h2>
      ${!list
        ? html`<p class="muted">${this.t('common.loading')}</p>`
        : list.length === 0
          ? html`<p class="muted">${this.t('admin.booking.waitlistEmpty')}</p>`
          : html`<table>
              <thead>
                <tr>
                  <th scope="col">${this.t('admin.booking.types')}</th>
                  <th scope="col">${this.t('admin.booking.providers')}</th>
                  <th scope="col">${this.t('admin.booking.patient')}</th>
                  <th scope="col">${this.t('admin.booking.waitlistDays')}</th>
                  <th scope="col">${this.t('admin.booking.waitlistJoined')}</th>
                  <th scope="col">${this.t('admin.booking.waitlistOffer')}</th>
                  <th scope="col"><span class="visually-hidden">${this.t('admin.booking.waitlistRemove')}</span></th>
                </tr>
              </thead>
              <tbody>
                ${list.map(
                  (e) => html`<tr>
                    <td>${e.typeName[this.lang]}</td>
                    <td>${e.providerName ?? this.t('admin.booking.waitlistAny')}</td>
                    <td>${e.patientName}</td>
                    <td>${this.dateOnly(e.earliest)} – ${this.dateOnly(e.latest)}</td>
                    <td>${this.when(e.joinedAt)}</td>
                    <td>${e.offer ? this.t('admin.booking.waitlistHeld', { when: `${this.when(e.offer.startsAt)} (${e.offer.providerName})`, until: this.when(e.offer.expiresAt) }) : this.t('admin.booking.waitlistWaiting')}</td>
                    <td>
                      <button class="secondary" ?disabled=${this.busy} @click=${() => this.removeFromWaitlist(e)} aria-label="${this.t('admin.booking.waitlistRemove')}: ${e.patientName}, ${e.typeName[this.lang]}">
                        ${this.t('admin.booking.waitlistRemove')}
                      </button>
                    </td>
                  </tr>`,
                )}
              </tbody>
            </table>`}
    </section>`;
  }

  private setup() {
    const r = this.rules;
    const providerOptions = this.providers.map((p) => html`<option value=${p.id}>${p.name}</option>`);
    return html`
      <section aria-labelledby="rules-h">
        <h2 id="rules-h">${this.t('admin.booking.rules')}</h2>
        ${r
          ? html`<form class="inline" @submit=${this.saveRules}>
              <label class="check"><input type="checkbox" name="enabled" ?checked=${r.enabled} /> ${this.t('admin.booking.enabled')}</label>
              <label>${this.t('admin.booking.minNotice')}<input type="number" name="minNotice" min="0" .value=${String(r.minNoticeMinutes)} /></label>
              <label>${this.t('admin.booking.horizon')}<input type="number" name="horizon" min="1" max="366" .value=${String(r.horizonDays)} /></label>
              <label>${this.t('admin.booking.maxUpcoming')}<input type="number" name="maxUpcoming" min="1" max="50" .value=${String(r.maxUpcomingPerPatient)} /></label>
              <label>${this.t('admin.booking.cutoff')}<input type="number" name="cutoff" min="0" .value=${String(r.cancelCutoffHours)} /></label>
              <label>${this.t('admin.booking.step')}<input type="number" name="step" min="5" step="5" .value=${String(r.slotStepMinutes)} /></label>
              <label>${this.t('admin.booking.reminders')}<input type="text" name="reminders" .value=${r.reminderMinutesBefore.map((m) => m / 60).join(', ')} /></label>
              <label
                >${this.t('admin.booking.reminderChannel')}
                <select name="reminderChannel">
                  ${(['email', 'sms', 'both'] as const).map((c) => html`<option value=${c} ?selected=${(r.reminderChannel ?? 'email') === c}>${this.t(`admin.channel.${c}`)}</option>`)}
                </select>
              </label>
              <button ?disabled=${this.busy}>${this.t('common.save')}</button>
            </form>`
          : nothing}
      </section>

      <section aria-labelledby="providers-h">
        <h2 id="providers-h">${this.t('admin.booking.providers')}</h2>
        <ul>
          ${this.providers.map(
            (p) => html`<li>
              ${p.name} <span class="muted">${this.t('admin.booking.embedAttr', { attr: `provider="${p.id}"` })}</span>
              <label class="check"
                ><input type="checkbox" .checked=${p.active} @change=${(e: Event) => this.change(() => this.booking.setProviderActive(p.id, (e.target as HTMLInputElement).checked))} />
                ${this.t('admin.booking.active')}</label
              >
              <button class="secondary" ?disabled=${this.busy} @click=${() => this.newFeed(p)}>${this.t('admin.booking.feedNew')}</button>
              ${p.feed ? html`<button class="secondary" ?disabled=${this.busy} @click=${() => this.change(() => this.booking.revokeFeed(p.id))}>${this.t('admin.booking.feedRevoke')}</button>` : nothing}
              ${this.feedUrl?.providerId === p.id ? html`<p class="muted">${this.t('admin.booking.feedShown')}</p><p class="feed"><code>${this.feedUrl.url}</code></p>` : nothing}
            </li>`,
          )}
        </ul>
        <form class="inline" @submit=${this.addProvider}>
          <label>${this.t('admin.booking.providerName')}<input name="name" required maxlength="120" /></label>
          <button ?disabled=${this.busy}>${this.t('admin.booking.addProvider')}</button>
        </form>
      </section>

      <section aria-labelledby="types-h">
        <h2 id="types-h">${this.t('admin.booking.types')}</h2>
        <ul>
          ${this.types.map(
            (t) =>
              html`<li>
                ${t.name[this.lang]} — ${t.durationMinutes} min, ${this.t(`booking.mode.${t.mode}`)}${t.location ? `, ${t.location}` : ''}
                <span class="muted">${this.t('admin.booking.embedAttr', { attr: `type="${t.id}"` })}</span>
                ${this.isAdmin
                  ? html`<label class="type-questionnaire"
                      >${this.t('admin.booking.questionnaireFor', { type: t.name[this.lang] })}
                      <select ?disabled=${this.busy} @change=${(e: Event) => this.setTypeQuestionnaire(t, (e.target as HTMLSelectElement).value)}>${this.questionnaireOptions(t.questionnaireId)}</select></label
                    >
                    <label class="type-questionnaire"
                      >${this.t('admin.booking.whoFor', { type: t.name[this.lang] })}
                      <select ?disabled=${this.busy} @change=${(e: Event) => this.setTypeWho(t, (e.target as HTMLSelectElement).value)}>${this.whoOptions(t.existingPatientsOnly)}</select></label
                    >`
                  : html`<span class="muted">${this.t(t.existingPatientsOnly ? 'admin.booking.who.existing' : 'admin.booking.who.new')}</span>`}
              </li>`,
          )}
        </ul>
        <form class="inline" @submit=${this.addType}>
          <label>${this.t('admin.booking.nameEn')}<input name="nameEn" required maxlength="120" /></label>
          <label>${this.t('admin.booking.nameFr')}<input name="nameFr" required maxlength="120" /></label>
          <label>${this.t('admin.booking.duration')}<input type="number" name="duration" min="5" max="480" step="5" value="15" required /></label>
          <label
            >${this.t('admin.booking.mode')}
            <select name="mode">
              ${MODES.map((m) => html`<option value=${m}>${this.t(`booking.mode.${m}`)}</option>`)}
            </select></label
          >
          <label>${this.t('admin.booking.location')}<input name="location" maxlength="200" /></label>
          <label>${this.t('admin.booking.bufferBefore')}<input type="number" name="before" min="0" max="120" step="5" value="0" /></label>
          <label>${this.t('admin.booking.bufferAfter')}<input type="number" name="after" min="0" max="120" step="5" value="0" /></label>
          <label>${this.t('admin.booking.questionnaire')}<select name="questionnaire">${this.questionnaireOptions(null)}</select></label>
          <label>${this.t('admin.booking.whoMayBook')}<select name="who">${this.whoOptions(true)}</select></label>
          <button ?disabled=${this.busy}>${this.t('admin.booking.addType')}</button>
        </form>
      </section>

      <section aria-labelledby="hours-h">
        <h2 id="hours-h">${this.t('admin.booking.hours')}</h2>
        <ul>
          ${this.hours.map(
            (h) => html`<li>
              ${this.providerName(h.providerId)}: ${h.days.map((d) => this.t(`admin.booking.weekday.${d}`)).join(', ')} ${h.start}–${h.end}
              <button class="secondary" ?disabled=${this.busy} @click=${() => this.change(() => this.booking.removeHours(h.id))}>${this.t('admin.booking.remove')}</button>
            </li>`,
          )}
        </ul>
        ${this.providers.length
          ? html`<form class="inline" @submit=${this.addHours}>
              <label>${this.t('admin.booking.providers')}<select name="provider">${providerOptions}</select></label>
              <fieldset>
                <legend>${this.t('admin.booking.days')}</legend>
                ${WEEKDAY_CODES.map((d) => html`<label><input type="checkbox" name="days" value=${d} ?checked=${!['SA', 'SU'].includes(d)} />${this.t(`admin.booking.weekday.${d}`)}</label>`)}
              </fieldset>
              <label>${this.t('admin.booking.from')}<input type="time" name="start" step="300" value="09:00" required /></label>
              <label>${this.t('admin.booking.to')}<input type="time" name="end" step="300" value="17:00" required /></label>
              <button ?disabled=${this.busy}>${this.t('admin.booking.addHours')}</button>
            </form>`
          : nothing}
      </section>

      <section aria-labelledby="exceptions-h">
        <h2 id="exceptions-h">${this.t('admin.booking.exceptions')}</h2>
        <ul>
          ${this.exceptions.map(
            (x) => html`<li>
              ${this.providerName(x.providerId)}: ${this.when(x.startsAt)} – ${this.when(x.endsAt)} ${x.label ? html`<span class="muted">(${x.label})</span>` : nothing}
              <button class="secondary" ?disabled=${this.busy} @click=${() => this.change(() => this.booking.removeException(x.id))}>${this.t('admin.booking.remove')}</button>
            </li>`,
          )}
        </ul>
        <form class="inline" @submit=${this.addException}>
          <label
            >${this.t('admin.booking.providers')}
            <select name="provider">
              <option value="">${this.t('admin.booking.everyone')}</option>
              ${providerOptions}
            </select></label
          >
          <label>${this.t('admin.booking.from')}<input type="datetime-local" name="start" required /></label>
          <label>${this.t('admin.booking.to')}<input type="datetime-local" name="end" required /></label>
          <label>${this.t('admin.booking.label')}<input name="label" maxlength="120" /></label>
          <button ?disabled=${this.busy}>${this.t('admin.booking.addException')}</button>
        </form>
      </section>
    `;
  }
}

defineOnce('sm-booking-page', SmBookingPage);

declare global {
  interface HTMLElementTagNameMap {
    'sm-booking-page': SmBookingPage;
  }
}
