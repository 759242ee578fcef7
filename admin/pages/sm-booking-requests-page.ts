/**
 * @summary Booking requests: new patients asking for a time, with who they are, the time asked for,
 * whether it is still kept for them, and the existing patient they would be linked to (same e-mail or
 * health card). Approve (registers or links the patient and books), or decline with an optional note.
 * When the time was taken meanwhile, the page says so and offers the open times of another day to
 * approve at instead. Each result is announced and takes focus, since the request leaves the list.
 */
import { css, html, nothing } from 'lit';
import { query, state } from 'lit/decorators.js';
import type { BookingRequestStatus, Slot, StaffBookingRequest } from '../../shared/booking.js';
import { defineOnce } from '../../shared/define-once.js';
import { ApiError } from '../../shared/fetch-json.js';
import { AdminPage } from '../admin-page.js';
import { BookingAdminApi } from '../booking-api.js';

const STATUSES: readonly BookingRequestStatus[] = ['pending', 'approved', 'declined'];

/** `YYYY-MM-DD` of an instant in a zone. */
const dayIn = (iso: string, zone: string) => new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));

export class SmBookingRequestsPage extends AdminPage {
  static styles = [
    ...AdminPage.styles,
    css`
      select.show {
        max-width: 20rem;
      }
      .requests {
        list-style: none;
        padding: 0;
        display: grid;
        gap: 1rem;
      }
      .requests > li {
        border: 1px solid #c5ced6;
        border-radius: 8px;
        padding: 0.75rem 1rem;
      }
      .requests h2 {
        font-size: 1.1rem;
        margin: 0 0 0.25rem;
      }
      .requests p {
        margin: 0.25rem 0;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: end;
        margin-top: 0.5rem;
      }
      textarea {
        width: 100%;
        max-width: 40rem;
        font: inherit;
      }
    `,
  ];

  @state() private filter: BookingRequestStatus = 'pending';
  @state() private requests: StaffBookingRequest[] | null = null;
  /** The request whose decline form is open. */
  @state() private declining: string | null = null;
  /** The request to approve at another time (its time was taken), the day looked at and its open times. */
  @state() private other: { id: string; day: string; slots: Slot[] | null } | null = null;
  /** Provider names by id, for the open times of another day. */
  @state() private providers = new Map<string, string>();
  private booking!: BookingAdminApi;
  private loads = 0;
  @query('#status') private statusEl?: HTMLElement;
  @query('#error') private errorEl?: HTMLElement;

  connectedCallback(): void {
    super.connectedCallback();
    this.booking = new BookingAdminApi(this.api);
    void this.load();
    // Only for naming the providers of other times; the list works without it.
    this.booking.providers().then((list) => (this.providers = new Map(list.map((p) => [p.id, p.name]))), () => undefined);
  }

  protected override describeError(err: unknown): string {
    if (err instanceof ApiError && err.code === 'request_decided') return this.t('admin.requests.decided');
    return super.describeError(err);
  }

  private async load(): Promise<void> {
    const seq = ++this.loads;
    try {
      const list = await this.booking.requests(this.filter);
      if (seq === this.loads) this.requests = list;
    } catch (err) {
      if (seq === this.loads) this.error = this.describeError(err);
    }
  }

  private changeFilter(e: Event) {
    this.filter = (e.target as HTMLSelectElement).value as BookingRequestStatus;
    this.requests = null;
    this.error = null;
    this.status = null;
    this.declining = null;
    this.other = null;
    void this.load();
  }

  private fmt(iso: string, zone: string, opts: Intl.DateTimeFormatOptions) {
    return new Intl.DateTimeFormat(this.lang === 'fr' ? 'fr-CA' : 'en-CA', { timeZone: zone, ...opts }).format(new Date(iso));
  }
  private date = (iso: string, zone: string) => this.fmt(iso, zone, { weekday: 'long', month: 'long', day: 'numeric', year: 'numeric' });
  private time = (iso: string, zone: string) => this.fmt(iso, zone, { hour: 'numeric', minute: '2-digit' });

  /** Focus on what says how it went: the row whose button was pressed may have left the list. */
  private async announce() {
    await this.updateComplete;
    (this.error ? this.errorEl : this.statusEl)?.focus();
  }

  private async approve(r: StaffBookingRequest, at?: Slot) {
    this.busy = true;
    this.error = null;
    this.status = null;
    try {
      const appt = await this.booking.approveRequest(r.id, at ? { providerId: at.providerId, startsAt: at.startsAt } : {});
      this.status = this.t('admin.requests.approved', { name: appt.patientName, date: this.date(appt.startsAt, r.timeZone), time: this.time(appt.startsAt, r.timeZone) });
      this.other = null;
      await this.load();
    } catch (err) {
      if (err instanceof ApiError && (err.code === 'slot_taken' || err.code === 'slot_unavailable')) {
        this.error = this.t('admin.requests.slotTaken', { name: r.name });
        await this.showDay(r, dayIn(at?.startsAt ?? r.startsAt, r.timeZone));
      } else {
        this.error = this.describeError(err);
        await this.load();
      }
    } finally {
      this.busy = false;
    }
    await this.announce();
  }

  /** The open times of the request's type on a day, to approve at instead. */
  private async showDay(r: StaffBookingRequest, day: string) {
    this.other = { id: r.id, day, slots: null };
    try {
      const list = await this.booking.slots({ typeId: r.typeId, from: day, days: 1 });
      if (this.other?.id === r.id && this.other.day === day) this.other = { id: r.id, day, slots: list.slots };
    } catch (err) {
      this.error = this.describeError(err);
    }
  }

  private async decline(e: Event, r: StaffBookingRequest) {
    e.preventDefault();
    const message = String(new FormData(e.target as HTMLFormElement).get('message') ?? '').trim();
    const done = await this.run(() => this.booking.declineRequest(r.id, message).then(() => undefined), this.t('admin.requests.declinedDone', { name: r.name }));
    if (done) this.declining = null;
    await this.load();
    await this.announce();
  }

  private async openDecline(r: StaffBookingRequest) {
    this.declining = r.id;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(`#decline-${r.id}`)?.focus();
  }

  private async closeDecline(r: StaffBookingRequest) {
    this.declining = null;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(`#decline-open-${r.id}`)?.focus();
  }

  render() {
    return html`<h1>${this.t('admin.requests.title')}</h1>
      <p class="muted">${this.t('admin.requests.intro')}</p>
      <label
        >${this.t('admin.requests.show')}
        <select class="show" @change=${this.changeFilter}>
          ${STATUSES.map((s) => html`<option value=${s} ?selected=${s === this.filter}>${this.t(`admin.requests.status.${s}`)}</option>`)}
        </select></label
      >
      <p id="status" role="status" class="ok" tabindex="-1">${this.status ?? ''}</p>
      ${this.error ? html`<p id="error" role="alert" class="error" tabindex="-1">${this.error}</p>` : nothing}
      ${this.requests === null
        ? html`<p class="muted">${this.t('common.loading')}</p>`
        : this.requests.length === 0
          ? html`<p>${this.t('admin.requests.empty')}</p>`
          : html`<ul class="requests">
              ${this.requests.map((r) => this.item(r))}
            </ul>`}`;
  }

  private item(r: StaffBookingRequest) {
    const z = r.timeZone;
    const pending = r.status === 'pending';
    return html`<li>
      <h2>${r.name}</h2>
      <p>${this.t('admin.requests.when', { type: r.typeName[this.lang], provider: r.providerName, date: this.date(r.startsAt, z), time: this.time(r.startsAt, z) })}</p>
      <p>
        ${this.t('admin.requests.born', { date: r.dateOfBirth })} · ${r.email}${r.phone ? html` · ${this.t('admin.requests.phone', { phone: r.phone })}` : nothing}${r.healthNumber
          ? html` · ${this.t('admin.requests.healthNumber', { number: r.healthNumber })}`
          : nothing}
      </p>
      ${pending
        ? html`<p>
              ${r.match
                ? this.t(r.match.by === 'email' ? 'admin.requests.matchEmail' : 'admin.requests.matchHealth', { name: r.match.patientName })
                : this.t('admin.requests.newPatient')}
            </p>
            <p class="muted">${r.held ? this.t('admin.requests.held', { until: `${this.date(r.holdExpiresAt, z)}, ${this.time(r.holdExpiresAt, z)}` }) : this.t('admin.requests.notHeld')}</p>
            ${this.other?.id === r.id ? this.otherTime(r) : nothing}
            ${this.declining === r.id
              ? html`<form @submit=${(e: Event) => this.decline(e, r)}>
                  <label for="decline-${r.id}">${this.t('admin.requests.message')}</label>
                  <textarea id="decline-${r.id}" name="message" maxlength="1000" rows="3"></textarea>
                  <div class="actions">
                    <button ?disabled=${this.busy}>${this.t('admin.requests.declineConfirm')}</button>
                    <button type="button" class="secondary" @click=${() => this.closeDecline(r)}>${this.t('admin.requests.keep')}</button>
                  </div>
                </form>`
              : html`<div class="actions">
                  <button ?disabled=${this.busy} aria-label=${this.t('admin.requests.approveFor', { name: r.name })} @click=${() => this.approve(r)}>${this.t('admin.requests.approve')}</button>
                  <button id="decline-open-${r.id}" class="secondary" ?disabled=${this.busy} aria-label=${this.t('admin.requests.declineFor', { name: r.name })} @click=${() => this.openDecline(r)}>
                    ${this.t('admin.requests.decline')}
                  </button>
                </div>`}`
        : nothing}
    </li>`;
  }

  /** Another time for a request whose time was taken: a day, its open times, and "Approve at this time". */
  private otherTime(r: StaffBookingRequest) {
    const o = this.other!;
    const pick = (e: Event) => {
      e.preventDefault();
      const i = Number(new FormData(e.target as HTMLFormElement).get('slot'));
      const slot = o.slots?.[i];
      if (slot) void this.approve(r, slot);
    };
    return html`<form class="actions" @submit=${pick}>
      <label
        >${this.t('admin.requests.otherDay')}
        <input type="date" .value=${o.day} @change=${(e: Event) => this.showDay(r, (e.target as HTMLInputElement).value)} />
      </label>
      ${o.slots === null
        ? html`<span class="muted">${this.t('common.loading')}</span>`
        : o.slots.length === 0
          ? html`<span>${this.t('admin.requests.noTimes')}</span>`
          : html`<label
                >${this.t('admin.requests.otherTime')}
                <select name="slot">
                  ${o.slots.map((s, i) => html`<option value=${i}>${this.time(s.startsAt, r.timeZone)} — ${this.providers.get(s.providerId) ?? ''}</option>`)}
                </select></label
              >
              <button ?disabled=${this.busy}>${this.t('admin.requests.approveAt')}</button>`}
    </form>`;
  }
}

defineOnce('sm-booking-requests-page', SmBookingRequestsPage);

declare global {
  interface HTMLElementTagNameMap {
    'sm-booking-requests-page': SmBookingRequestsPage;
  }
}
