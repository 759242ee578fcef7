/**
 * @summary Self-booking for a signed-in patient: choose a visit type and a provider (or the first
 * available), pick a time from a keyboard-friendly list grouped by day (in the clinic's time zone,
 * with the patient's own shown when it differs), confirm, and see, move or cancel "My appointments".
 * When no time suits, join the waitlist for days of their choosing; a time held for them shows under
 * "My waitlist", to book or let go.
 * With `new-patient` (a visitor without a session), only the types open to new patients are offered,
 * and a chosen time leads to a request form (<sm-booking-request-form>) that the clinic approves.
 * @fires sm-appointment-booked - a booking was confirmed (no details: nothing leaves the frame).
 * @fires sm-session-ended - the server no longer knows the session (expired, or ended elsewhere): the frame shows its sign-in.
 * @fires sm-booking-requested - (from the request form) a new patient's request was received.
 */
import { LitElement, css, html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { Appointment, BookingOptions, Slot, SlotList, WaitlistEntry } from '../../../shared/booking.js';
import { defineOnce } from '../../../shared/define-once.js';
import { describeFailure } from '../../../shared/error-text.js';
import { ApiError } from '../../../shared/fetch-json.js';
import { translate, type MessageKey } from '../../../shared/i18n-booking-view.js';
import type { Lang } from '../../../shared/lang.js';
import { frameStyles } from '../styles.js';
import { BookingApi, PublicBookingApi } from './booking-api.js';
import './sm-booking-request-form.js';
import type { PatientApi } from '../patient-api.js';

const DAYS_SHOWN = 7;

/** Refusals of a booking, a move or a cancellation with a sentence of their own (others get the shared wording of their code). */
const CHANGE_REFUSALS: Partial<Record<string, MessageKey>> = {
  slot_taken: 'booking.error.slotTaken',
  slot_unavailable: 'booking.error.slotTaken',
  too_many_upcoming: 'booking.error.tooMany',
  change_cutoff: 'booking.error.cutoff',
  not_booked: 'booking.error.notBooked',
  booking_closed: 'booking.error.closed',
  network: 'booking.error.offline',
};

/** `YYYY-MM-DD` of an instant in a zone. */
function dayKey(iso: string, zone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
}

/** A calendar date `n` days after `date` (dates only: no time zone involved). */
function addDays(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y!, m! - 1, d! + n)).toISOString().slice(0, 10);
}

export class SmBookingView extends LitElement {
  static styles = [
    frameStyles,
    css`
      .pickers {
        display: flex;
        flex-wrap: wrap;
        gap: 0.75rem;
      }
      select {
        font: inherit;
        padding: 0.45rem 0.5rem;
        border: 1px solid var(--sm-border-strong, #616e7c);
        border-radius: calc(var(--sm-radius, 8px) / 2);
        background: #fff;
        color: #1f2933;
        max-width: 100%;
      }
      .week {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
        justify-content: space-between;
        margin: 0.75rem 0 0.25rem;
      }
      [role='listbox'] {
        display: grid;
        gap: 0.75rem;
        padding: 0.25rem;
        border-radius: calc(var(--sm-radius, 8px) / 2);
      }
      [role='group'] > ul {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        list-style: none;
        margin: 0.25rem 0 0;
        padding: 0;
      }
      .day {
        font-weight: 600;
        margin: 0;
      }
      [role='option'] {
        border: 1px solid var(--sm-border-strong, #616e7c);
        border-radius: calc(var(--sm-radius, 8px) / 2);
        padding: 0.35rem 0.6rem;
        cursor: pointer;
        min-width: 4.5rem;
        text-align: center;
      }
      [role='option'][aria-selected='true'] {
        background: var(--sm-accent, var(--sm-brand, #00587c));
        color: var(--sm-accent-contrast, #ffffff);
        border-color: var(--sm-accent, var(--sm-brand, #00587c));
      }
      .theirs {
        display: block;
        font-size: 0.85em;
      }
      .appointments {
        list-style: none;
        padding: 0;
        display: grid;
        gap: 0.5rem;
      }
      .appointments li {
        border-top: 1px solid var(--sm-border, #c5ced6);
        padding-top: 0.5rem;
      }
      h3 {
        font-size: 1.05em;
        margin: 1rem 0 0.25rem;
      }
      h4 {
        font-size: 1em;
        margin: 0.75rem 0 0.25rem;
      }
      fieldset {
        border: 1px solid var(--sm-border, #c5ced6);
        border-radius: calc(var(--sm-radius, 8px) / 2);
        display: flex;
        flex-wrap: wrap;
        gap: 0.75rem;
        align-items: end;
      }
      input[type='date'] {
        font: inherit;
        padding: 0.35rem 0.5rem;
        border: 1px solid var(--sm-border-strong, #616e7c);
        border-radius: calc(var(--sm-radius, 8px) / 2);
        max-width: 100%;
      }
      .offer {
        border-left: 4px solid var(--sm-accent, var(--sm-brand, #00587c));
        padding-left: 0.5rem;
        margin: 0.25rem 0;
      }
    `,
  ];

  @property({ attribute: false }) api!: PatientApi;
  @property() lang: Lang = 'en';
  /** Preselected type and provider (the element's `type` and `provider` attributes). */
  @property() type = '';
  @property() provider = '';
  /** A visitor who is not a patient: offers the types open to new patients, and a request instead of a booking. */
  @property({ type: Boolean, attribute: 'new-patient' }) newPatient = false;
  /** A new patient's options as the frame already read them (for its request link): not asked for again. */
  @property({ attribute: false }) newPatientOptions: BookingOptions | null = null;

  @state() private options: BookingOptions | null = null;
  @state() private typeId = '';
  @state() private providerId = '';
  @state() private from = '';
  @state() private list: SlotList | null = null;
  @state() private selected: Slot | null = null;
  @state() private active = 0;
  @state() private appointments: Appointment[] = [];
  /** The last result, announced (a status, or an alert); `text` when already worded. */
  @state() private status: { key: MessageKey; vars?: Record<string, string>; text?: string; alert?: boolean } | null = null;
  @state() private busy = false;
  @state() private confirmingCancel: string | null = null;
  /** The appointment being moved: the next time chosen replaces its time. */
  @state() private moving: Appointment | null = null;
  @state() private failed = false;
  /** The session ended: the frame is replacing this view with its sign-in. */
  private ended = false;
  /** The patient's waitlist entries (with any time held for them). */
  @state() private waitlist: WaitlistEntry[] = [];
  /** The join-the-waitlist form is open. */
  @state() private joining = false;
  private client!: BookingApi;
  private publicClient: PublicBookingApi | null = null;
  /** A new patient's steps: pick a time, give their details, then the request is sent. */
  @state() private step: 'pick' | 'details' | 'sent' = 'pick';

  private t(key: MessageKey, vars?: Record<string, string>) {
    return translate(this.lang, key, vars);
  }

  private get zone() {
    return this.options?.timeZone ?? 'America/Toronto';
  }

  /** The patient's own zone, when it is not the clinic's. */
  private get ownZone(): string | null {
    const own = Intl.DateTimeFormat().resolvedOptions().timeZone;
    return own && own !== this.zone ? own : null;
  }

  private fmt(iso: string, opts: Intl.DateTimeFormatOptions, zone = this.zone) {
    return new Intl.DateTimeFormat(this.lang === 'fr' ? 'fr-CA' : 'en-CA', { timeZone: zone, ...opts }).format(new Date(iso));
  }

  private time = (iso: string, zone = this.zone) => this.fmt(iso, { hour: 'numeric', minute: '2-digit' }, zone);
  private date = (iso: string) => this.fmt(iso, { weekday: 'long', month: 'long', day: 'numeric' });

  connectedCallback(): void {
    super.connectedCallback();
    this.client = new BookingApi(this.api);
    this.publicClient = this.newPatient ? new PublicBookingApi(this.api.clinic) : null;
    void this.load();
  }

  private async load() {
    try {
      const [options, appointments] = this.publicClient ? [this.newPatientOptions ?? (await this.api.newPatientBookingOptions()), []] : await Promise.all([this.client.options(), this.client.appointments()]);
      this.options = options;
      this.appointments = appointments;
      this.typeId = options.types.some((t) => t.id === this.type) ? this.type : (options.types[0]?.id ?? '');
      this.providerId = options.providers.some((p) => p.id === this.provider) ? this.provider : '';
      this.from = dayKey(new Date().toISOString(), options.timeZone);
      if (options.enabled && this.typeId) await this.loadSlots();
    } catch (err) {
      if (this.sessionEnded(err)) return;
      this.failed = true;
    }
    if (!this.publicClient) await this.loadWaitlist();
  }

  /** The waitlist is an extra: if it cannot be read, booking still works. */
  private async loadWaitlist() {
    try {
      this.waitlist = await this.client.waitlist();
    } catch {
      this.waitlist = [];
    }
  }

  /** Moves focus to an element of the view once it is rendered (a changed screen, a result to read). */
  private async focusOn(selector: string) {
    await this.updateComplete;
    if (this.ended) return; // the frame moves focus to its sign-in
    this.renderRoot.querySelector<HTMLElement>(selector)?.focus();
  }

  private dateText(date: string) {
    return this.fmt(`${date}T12:00:00Z`, { weekday: 'long', month: 'long', day: 'numeric' });
  }

  private openJoin() {
    this.joining = true;
    this.status = null;
    void this.focusOn('#wl-earliest');
  }

  private closeJoin() {
    this.joining = false;
    void this.focusOn('#wl-open');
  }

  private async join(e: Event) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    const earliest = String(data.get('earliest') ?? '');
    const latest = String(data.get('latest') ?? '');
    this.busy = true;
    try {
      await this.client.joinWaitlist({ typeId: this.typeId, ...(this.providerId ? { providerId: this.providerId } : {}), earliest, latest, lang: this.lang });
      this.joining = false;
      this.status = { key: 'booking.waitlist.joined', vars: { type: this.typeName(this.typeId), from: this.dateText(earliest), to: this.dateText(latest) } };
      await this.loadWaitlist();
      void this.focusOn('#booking-status');
    } catch (err) {
      this.waitlistError(err);
      void this.focusOn('#booking-status');
    } finally {
      this.busy = false;
    }
  }

  /**
   * The server no longer knows the session (it expired, or ended elsewhere): the frame shows the
   * sign-in and says why, instead of a refusal that trying again could never clear.
   */
  private sessionEnded(err: unknown): boolean {
    if (this.publicClient || !(err instanceof ApiError) || err.status !== 401) return false;
    this.ended = true;
    this.dispatchEvent(new CustomEvent('sm-session-ended', { bubbles: true, composed: true }));
    return true;
  }

  /** A refusal in the reader's language: the booking's own sentence for its code, else the shared wording of the code. */
  private refused(err: unknown, keys: Partial<Record<string, MessageKey>>) {
    if (this.sessionEnded(err)) return;
    const code = err instanceof ApiError ? err.code : '';
    const key = Object.hasOwn(keys, code) ? keys[code] : undefined;
    this.status = key ? { key, alert: true } : { key: 'common.error', text: describeFailure(this.lang, err, { timeZone: this.zone }), alert: true };
  }

  /** A waitlist refusal in the reader's language. */
  private waitlistError(err: unknown) {
    this.refused(err, { ...CHANGE_REFUSALS, invalid_range: 'booking.waitlist.error.range', offer_expired: 'booking.waitlist.error.expired', already_waiting: 'booking.waitlist.error.duplicate' });
  }

  private async leave(entry: WaitlistEntry) {
    this.busy = true;
    try {
      await this.client.leaveWaitlist(entry.id);
      this.status = { key: 'booking.waitlist.left' };
      await this.loadWaitlist();
      if (entry.offer && this.options?.enabled && this.typeId) await this.loadSlots();
    } catch (err) {
      this.waitlistError(err);
      await this.loadWaitlist();
    } finally {
      this.busy = false;
      void this.focusOn('#booking-status');
    }
  }

  private async acceptOffer(entry: WaitlistEntry) {
    if (!entry.offer) return;
    this.busy = true;
    try {
      const done = await this.client.acceptOffer(entry.offer.id);
      this.status = { key: 'booking.booked', vars: { date: this.date(done.startsAt), time: this.time(done.startsAt) } };
      this.appointments = await this.client.appointments();
      this.dispatchEvent(new CustomEvent('sm-appointment-booked', { bubbles: true, composed: true }));
    } catch (err) {
      this.waitlistError(err);
    } finally {
      await this.loadWaitlist();
      this.busy = false;
      void this.focusOn('#booking-status');
    }
  }

  private async declineOffer(entry: WaitlistEntry) {
    if (!entry.offer) return;
    this.busy = true;
    try {
      await this.client.declineOffer(entry.offer.id);
      this.status = { key: 'booking.waitlist.declined' };
    } catch (err) {
      this.waitlistError(err);
    } finally {
      await this.loadWaitlist();
      this.busy = false;
      void this.focusOn('#booking-status');
    }
  }

  private async loadSlots() {
    this.selected = null;
    this.active = 0;
    this.list = null;
    try {
      this.list = await (this.publicClient ?? this.client).slots({ typeId: this.typeId, ...(this.providerId ? { providerId: this.providerId } : {}), from: this.from, days: DAYS_SHOWN });
    } catch {
      this.failed = true;
    }
  }

  private providerName(id: string) {
    return this.options?.providers.find((p) => p.id === id)?.name ?? '';
  }

  private typeName(id: string) {
    const t = this.options?.types.find((x) => x.id === id);
    return t ? t.name[this.lang] : '';
  }

  private onType(e: Event) {
    this.typeId = (e.target as HTMLSelectElement).value;
    const type = this.options!.types.find((t) => t.id === this.typeId);
    if (this.providerId && !type?.providerIds.includes(this.providerId)) this.providerId = '';
    void this.loadSlots();
  }

  private onProvider(e: Event) {
    this.providerId = (e.target as HTMLSelectElement).value;
    void this.loadSlots();
  }

  private week(delta: number) {
    this.from = addDays(this.from, delta * DAYS_SHOWN);
    void this.loadSlots();
  }

  private jumpTo(iso: string) {
    this.from = dayKey(iso, this.zone);
    void this.loadSlots();
  }

  private choose(index: number) {
    const slot = this.list?.slots[index];
    if (!slot) return;
    this.active = index;
    this.selected = slot;
    this.status = null;
  }

  /** The listbox keys: arrows, Home and End move; Enter and Space choose. */
  private onKey(e: KeyboardEvent) {
    const count = this.list?.slots.length ?? 0;
    if (count === 0) return;
    const moves: Record<string, number> = { ArrowDown: this.active + 1, ArrowRight: this.active + 1, ArrowUp: this.active - 1, ArrowLeft: this.active - 1, Home: 0, End: count - 1 };
    if (e.key in moves) {
      e.preventDefault();
      this.active = Math.max(0, Math.min(count - 1, moves[e.key]!));
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      this.choose(this.active);
    }
  }

  private startMove(a: Appointment) {
    this.moving = a;
    this.status = null;
    if (this.typeId !== a.typeId) {
      this.typeId = a.typeId;
      this.providerId = '';
    }
    void this.loadSlots();
  }

  /** A new patient's chosen time: on to the details (a new screen: focus its heading). */
  private continueRequest() {
    if (!this.selected) return;
    this.status = null;
    this.step = 'details';
    void this.updateComplete.then(() => this.renderRoot.querySelector('sm-booking-request-form')?.focusHeading());
  }

  /** Back from the details to the times; when the time was taken meanwhile, say so and show the times again. */
  private async requestBack(e: CustomEvent<{ taken: boolean }>) {
    this.step = 'pick';
    if (e.detail.taken) {
      this.status = { key: 'booking.error.slotTaken', alert: true };
      await this.loadSlots();
      void this.focusOn('#booking-status');
    } else {
      void this.focusOn('#request-continue');
    }
  }

  private requested() {
    this.step = 'sent';
    void this.focusOn('#request-sent');
  }

  private async book() {
    if (!this.selected) return;
    this.busy = true;
    try {
      const slot = this.selected;
      const done = this.moving
        ? await this.client.reschedule(this.moving.id, { providerId: slot.providerId, startsAt: slot.startsAt })
        : await this.client.book({ typeId: this.typeId, providerId: slot.providerId, startsAt: slot.startsAt, lang: this.lang });
      this.status = { key: this.moving ? 'booking.moved' : 'booking.booked', vars: { date: this.date(done.startsAt), time: this.time(done.startsAt) } };
      this.moving = null;
      this.appointments = await this.client.appointments();
      this.dispatchEvent(new CustomEvent('sm-appointment-booked', { bubbles: true, composed: true }));
      await this.loadSlots();
    } catch (err) {
      this.refused(err, CHANGE_REFUSALS);
      await this.afterRefusal(err);
    } finally {
      this.busy = false;
      void this.focusOn('#booking-status');
    }
  }

  private async cancel(id: string) {
    this.busy = true;
    try {
      await this.client.cancel(id);
      this.confirmingCancel = null;
      this.status = { key: 'booking.cancelled' };
      this.appointments = await this.client.appointments();
      if (this.options?.enabled && this.typeId) await this.loadSlots();
    } catch (err) {
      this.confirmingCancel = null;
      this.refused(err, CHANGE_REFUSALS);
      await this.afterRefusal(err);
    } finally {
      this.busy = false;
      void this.focusOn('#booking-status');
    }
  }

  /** What a refusal changed on screen: taken times go, an appointment the clinic changed shows as it is now, a closed booking shows closed. */
  private async afterRefusal(err: unknown) {
    const code = err instanceof ApiError ? err.code : '';
    try {
      if (code === 'slot_taken' || code === 'slot_unavailable') await this.loadSlots();
      if (code === 'not_booked' || code === 'change_cutoff') this.appointments = await this.client.appointments();
      if (code === 'booking_closed') {
        this.moving = null;
        this.options = await this.client.options();
      }
    } catch {
      // Shown as it was; the refusal already said what happened.
    }
  }

  updated() {
    // Keep focus on the active option while the list has it (roving focus within the listbox).
    const box = this.renderRoot.querySelector<HTMLElement>('[role=listbox]');
    if (box && box.contains(this.renderRoot instanceof ShadowRoot ? this.renderRoot.activeElement : null)) {
      this.renderRoot.querySelector<HTMLElement>(`[data-index="${this.active}"]`)?.focus();
    }
  }

  render() {
    if (this.failed) return html`<p class="error" role="alert">${this.t('common.error')}</p>`;
    const o = this.options;
    if (!o) return html`<p class="muted" role="status">${this.t('common.loading')}</p>`;
    if (this.newPatient) return this.requestScreens(o);
    return html`
      <p class="notice" role="note">${this.t('frame.notForEmergencies')}</p>
      ${this.status
        ? html`<p id="booking-status" tabindex="-1" class=${this.status.alert ? 'error' : 'muted'} role=${this.status.alert ? 'alert' : 'status'}>${this.status.text ?? this.t(this.status.key, this.status.vars)}</p>`
        : nothing}
      ${!o.enabled || o.types.length === 0 ? html`<p role="status">${this.t('booking.closed', { clinic: o.clinicName })}</p>` : this.picker(o)}
      ${this.mine()}
    `;
  }

  /** A new patient's screens: the times (types open to new patients), their details, then "sent". */
  private requestScreens(o: BookingOptions) {
    const s = this.selected;
    if (this.step === 'sent' && s) {
      return html`<h3 id="request-sent" tabindex="-1">${this.t('booking.request.sentTitle')}</h3>
        <p role="status">${this.t('booking.request.sent', { clinic: o.clinicName, date: this.date(s.startsAt), time: this.time(s.startsAt) })}</p>`;
    }
    if (this.step === 'details' && s) {
      return html`<sm-booking-request-form
        .api=${this.publicClient!}
        .lang=${this.lang}
        .chosen=${{ typeId: this.typeId, providerId: s.providerId, startsAt: s.startsAt }}
        summary=${this.t('booking.request.chosen', { type: this.typeName(this.typeId), provider: this.providerName(s.providerId), date: this.date(s.startsAt), time: this.time(s.startsAt) })}
        @sm-request-back=${this.requestBack}
        @sm-booking-requested=${this.requested}
      ></sm-booking-request-form>`;
    }
    return html`<p class="notice" role="note">${this.t('frame.notForEmergencies')}</p>
      ${this.status
        ? html`<p id="booking-status" tabindex="-1" class=${this.status.alert ? 'error' : 'muted'} role=${this.status.alert ? 'alert' : 'status'}>${this.status.text ?? this.t(this.status.key, this.status.vars)}</p>`
        : nothing}
      ${!o.enabled || o.types.length === 0 ? html`<p role="status">${this.t('booking.request.none', { clinic: o.clinicName })}</p>` : this.picker(o)}`;
  }

  private picker(o: BookingOptions) {
    const type = o.types.find((t) => t.id === this.typeId);
    const providers = o.providers.filter((p) => type?.providerIds.includes(p.id));
    return html`
      <div class="pickers">
        ${this.moving
          ? html`<p class="notice" role="status">
              ${this.t('booking.moving', { date: this.date(this.moving.startsAt), time: this.time(this.moving.startsAt) })}
              <button class="link" @click=${() => (this.moving = null)}>${this.t('booking.moveStop')}</button>
            </p>`
          : nothing}
        <label
          >${this.t('booking.type')}
          <select @change=${this.onType} ?disabled=${this.moving !== null}>
            ${o.types.map((t) => html`<option value=${t.id} ?selected=${t.id === this.typeId}>${t.name[this.lang]} (${this.t('booking.minutes', { n: String(t.durationMinutes) })}, ${this.t(`booking.mode.${t.mode}`)})</option>`)}
          </select>
        </label>
        <label
          >${this.t('booking.provider')}
          <select @change=${this.onProvider}>
            <option value="" ?selected=${this.providerId === ''}>${this.t('booking.firstAvailable')}</option>
            ${providers.map((p) => html`<option value=${p.id} ?selected=${p.id === this.providerId}>${p.name}</option>`)}
          </select>
        </label>
      </div>
      ${type?.mode === 'in-person' && type.location ? html`<p class="muted">${this.t('booking.where', { location: type.location })}</p>` : nothing}
      <p class="muted">${this.t('booking.zone', { zone: o.timeZone })}${this.ownZone ? html` ${this.t('booking.ownZone', { zone: this.ownZone })}` : nothing}</p>
      <div class="week">
        <button class="link" @click=${() => this.week(-1)} ?disabled=${this.from <= dayKey(new Date().toISOString(), this.zone)}>${this.t('booking.earlier')}</button>
        <span>${this.t('booking.weekOf', { date: this.date(`${this.from}T12:00:00Z`) })}</span>
        <button class="link" @click=${() => this.week(1)}>${this.t('booking.later')}</button>
      </div>
      ${this.slotList()} ${this.confirmation()} ${this.moving || this.newPatient ? nothing : this.joinForm(o)}
    `;
  }

  /** "Join the waitlist" for the chosen type and provider (or any), between two days. */
  private joinForm(o: BookingOptions) {
    if (!this.joining) {
      return html`<p class="muted">${this.t('booking.waitlist.intro')}</p>
        <button id="wl-open" class="secondary" @click=${this.openJoin}>${this.t('booking.waitlist.open')}</button>`;
    }
    const today = dayKey(new Date().toISOString(), this.zone);
    const last = addDays(today, o.horizonDays ?? 60);
    const earliest = this.from > today ? this.from : today;
    const latest = addDays(earliest, 13) > last ? last : addDays(earliest, 13);
    const provider = this.providerId ? this.providerName(this.providerId) : this.t('booking.waitlist.anyProvider');
    return html`<form @submit=${this.join} style="margin-top: 0.75rem">
      <fieldset>
        <legend>${this.t('booking.waitlist.legend', { type: `${this.typeName(this.typeId)} (${provider})` })}</legend>
        <label>${this.t('booking.waitlist.earliest')} <input id="wl-earliest" type="date" name="earliest" required min=${today} max=${last} .value=${earliest} /></label>
        <label>${this.t('booking.waitlist.latest')} <input type="date" name="latest" required min=${today} max=${last} .value=${latest} /></label>
        <button ?disabled=${this.busy}>${this.t('booking.waitlist.join')}</button>
        <button type="button" class="link" @click=${this.closeJoin}>${this.t('booking.waitlist.close')}</button>
      </fieldset>
    </form>`;
  }

  private myWaitlist() {
    if (this.waitlist.length === 0) return nothing;
    return html`<h4 id="waitlist-h">${this.t('booking.waitlist.mine')}</h4>
      <ul class="appointments" aria-labelledby="waitlist-h">
        ${this.waitlist.map((w) => {
          const type = w.typeName[this.lang];
          return html`<li>
            ${this.t('booking.waitlist.entry', { type, provider: w.providerName ?? this.t('booking.waitlist.anyProvider'), from: this.dateText(w.earliest), to: this.dateText(w.latest) })}
            ${w.offer
              ? html`<p class="offer">
                  ${this.t('booking.waitlist.offer', { date: this.date(w.offer.startsAt), time: this.time(w.offer.startsAt), provider: w.offer.providerName, until: `${this.date(w.offer.expiresAt)}, ${this.time(w.offer.expiresAt)}` })}
                  <br />
                  <button ?disabled=${this.busy} @click=${() => this.acceptOffer(w)}>${this.t('booking.waitlist.accept')}</button>
                  <button class="link" ?disabled=${this.busy} @click=${() => this.declineOffer(w)}>${this.t('booking.waitlist.decline')}</button>
                </p>`
              : html`<br />`}
            <button class="link" ?disabled=${this.busy} aria-label=${this.t('booking.waitlist.leaveFor', { type })} @click=${() => this.leave(w)}>${this.t('booking.waitlist.leave')}</button>
          </li>`;
        })}
      </ul>`;
  }

  private slotList() {
    if (!this.list) return html`<p class="muted" role="status">${this.t('common.loading')}</p>`;
    const slots = this.list.slots;
    if (slots.length === 0) {
      const next = this.list.nextAvailable;
      return html`<p role="status">${next ? this.t('booking.noneThisWeek', { date: this.date(next) }) : this.t('booking.noneAtAll')}</p>
        ${next ? html`<button @click=${() => this.jumpTo(next)}>${this.t('booking.showNext')}</button>` : nothing}`;
    }
    const days = new Map<string, Array<{ slot: Slot; index: number }>>();
    slots.forEach((slot, index) => {
      const key = dayKey(slot.startsAt, this.zone);
      days.set(key, [...(days.get(key) ?? []), { slot, index }]);
    });
    const own = this.ownZone;
    return html`<p id="slots-label" class="visually-hidden">${this.t('booking.slotsLabel')}</p>
      <div role="listbox" aria-labelledby="slots-label" @keydown=${this.onKey}>
        ${[...days].map(
          ([key, items]) => html`<div role="group" aria-labelledby="day-${key}">
            <p class="day" id="day-${key}">${this.date(items[0]!.slot.startsAt)}</p>
            <ul role="presentation">
              ${items.map(
                ({ slot, index }) => html`<li
                  role="option"
                  data-index=${index}
                  tabindex=${index === this.active ? 0 : -1}
                  aria-selected=${this.selected === slot ? 'true' : 'false'}
                  @click=${() => this.choose(index)}
                >
                  ${this.time(slot.startsAt)}${this.providerId ? nothing : html`<span class="theirs">${this.providerName(slot.providerId)}</span>`}
                  ${own ? html`<span class="theirs">${this.t('booking.yourTime', { time: this.time(slot.startsAt, own) })}</span>` : nothing}
                </li>`,
              )}
            </ul>
          </div>`,
        )}
      </div>`;
  }

  private confirmation() {
    const s = this.selected;
    if (!s) return nothing;
    return html`<div class="card" style="margin-top: 0.75rem">
      <p>${this.t('booking.confirmText', { type: this.typeName(this.typeId), provider: this.providerName(s.providerId), date: this.date(s.startsAt), time: this.time(s.startsAt) })}</p>
      ${this.newPatient
        ? html`<button id="request-continue" @click=${this.continueRequest}>${this.t('booking.request.continue')}</button>`
        : html`<button @click=${this.book} ?disabled=${this.busy}>${this.t(this.moving ? 'booking.moveHere' : 'booking.confirm')}</button>`}
    </div>`;
  }

  private mine() {
    return html`<h3>${this.t('booking.mine')}</h3>
      ${this.myWaitlist()}
      ${this.appointments.length === 0
        ? html`<p class="muted">${this.t('booking.mineEmpty')}</p>`
        : html`<ul class="appointments">
            ${this.appointments.map(
              (a) => html`<li>
                <strong>${this.date(a.startsAt)}, ${this.time(a.startsAt)}</strong> — ${a.typeName[this.lang]}, ${a.providerName}
                ${a.mode === 'in-person' && a.location ? html`<br /><span class="muted">${a.location}</span>` : nothing}
                <br />
                ${!a.changeable
                  ? html`<span class="muted">${this.t('booking.callToChange', { hours: String(this.options?.cancelCutoffHours ?? 0) })}</span>`
                  : this.confirmingCancel === a.id
                    ? html`<span role="group" aria-label=${this.t('booking.cancelAsk')}>${this.t('booking.cancelAsk')}
                        <button @click=${() => this.cancel(a.id)} ?disabled=${this.busy}>${this.t('booking.cancelYes')}</button>
                        <button class="link" @click=${() => (this.confirmingCancel = null)}>${this.t('booking.cancelNo')}</button></span>`
                    : html`${this.options?.enabled ? html`<button class="link" @click=${() => this.startMove(a)}>${this.t('booking.move')}</button> · ` : nothing}
                        <button class="link" @click=${() => (this.confirmingCancel = a.id)}>${this.t('booking.cancel')}</button>`}
              </li>`,
            )}
          </ul>`}`;
  }
}

defineOnce('sm-booking-view', SmBookingView);

declare global {
  interface HTMLElementTagNameMap {
    'sm-booking-view': SmBookingView;
  }
  interface HTMLElementEventMap {
    'sm-appointment-booked': CustomEvent<void>;
    'sm-session-ended': CustomEvent<void>;
  }
}
