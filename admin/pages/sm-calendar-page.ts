/**
 * @summary The booking calendar for staff: a day (providers side by side as columns) or a week (one
 * provider or all, days as columns), hours as rows, in the clinic's time zone; previous, next and
 * today. Choosing an appointment opens its details in a dialog with cancel, "did not come" and
 * "move to another time" (the open slots of its type); "Book for a patient" finds a patient (the
 * patient search of "Message a patient"), a type, a provider and an open slot. Results are announced
 * in a live region and the focus returns to what opened a dialog. Under 40rem the table becomes a
 * list by day. With a pointer (mouse or touch), a booked appointment can also be dragged to another
 * time (and, in the day view, another provider's column): it snaps to the clinic's slot step, a
 * preview shows where it lands, the drop asks the same move API as the dialog (which stays the
 * keyboard and screen-reader path), and a refusal puts it back with the reason.
 */
import { css, html, nothing } from 'lit';
import { state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { styleMap } from 'lit/directives/style-map.js';
import type { Patient } from '../../shared/api.js';
import type { AppointmentType, Provider, Slot, StaffAppointment } from '../../shared/booking.js';
import { defineOnce } from '../../shared/define-once.js';
import { ApiError } from '../../shared/fetch-json.js';
import { translatePlural, type MessageKey } from '../../shared/i18n-all.js';
import { sentence } from '../../shared/intl.js';
import { PatientSearch } from '../patient-search.js';
import { AdminPage } from '../admin-page.js';
import { BookingAdminApi } from '../booking-api.js';
import { clinicInstant } from '../clinic-time.js';
import { PointerDrag } from '../pointer-drag.js';

/** API error codes this page words in the reader's language. */
const ERRORS: Record<string, MessageKey> = {
  slot_taken: 'admin.calendar.error.slotTaken',
  slot_unavailable: 'admin.calendar.error.slotGone',
  booking_closed: 'admin.calendar.error.closed',
  not_started: 'admin.calendar.error.notStarted',
  not_booked: 'admin.booking.error.notBooked',
  not_found: 'admin.booking.error.notFound',
};
/** Why a drag was refused, in the reader's language (the drop's own wording, not the dialog's). */
const DROP_ERRORS: Record<string, MessageKey> = {
  slot_taken: 'admin.calendar.drop.taken',
  slot_unavailable: 'admin.calendar.drop.notOpen',
  booking_closed: 'admin.calendar.error.closed',
  not_booked: 'admin.booking.error.notBooked',
  not_found: 'admin.calendar.drop.notFound',
};
/** The snap step when the clinic's rules cannot be read (their default). */
const DEFAULT_STEP_MINUTES = 15;
/** Hours always shown (clinic time); earlier or later rows appear when an appointment is there. */
const FIRST_HOUR = 8;
const LAST_HOUR = 18;

/** Calendar-date arithmetic on YYYY-MM-DD (UTC noon, so no zone or DST can shift the day). */
const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T12:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
/** The Monday of the date's week. */
const monday = (date: string) => addDays(date, -((new Date(`${date}T12:00:00Z`).getUTCDay() + 6) % 7));

type View = 'day' | 'week';
/** The slot picker of the book and move dialogs. */
interface Pick {
  typeId: string;
  /** '' = any provider offering the type. */
  providerId: string;
  date: string;
  slots: Slot[] | null;
  nextAvailable: string | null;
  /** `${providerId}|${startsAt}` of the chosen slot. */
  chosen: string;
}
/** Where a dragged appointment would land: a provider, a clinic date and time, and that instant. */
interface DropTarget {
  providerId: string;
  date: string;
  hour: number;
  minute: number;
  startsAt: string;
  endsAt: string;
}

export class SmCalendarPage extends AdminPage {
  static styles = [
    ...AdminPage.styles,
    css`
      .toolbar {
        display: flex;
        flex-wrap: wrap;
        gap: 0.75rem;
        align-items: end;
        margin-block: 1rem;
      }
      .toolbar fieldset {
        border: 1px solid #d9e2ec;
        border-radius: 4px;
        display: flex;
        gap: 0.5rem;
      }
      .toolbar fieldset label,
      fieldset.slots label {
        display: inline-flex;
        gap: 0.25rem;
        font-weight: normal;
      }
      .scroll {
        overflow-x: auto;
      }
      table.calendar {
        border-collapse: collapse;
        min-width: 100%;
        table-layout: fixed;
      }
      table.calendar th,
      table.calendar td {
        border: 1px solid #d9e2ec;
        vertical-align: top;
        padding: 0.25rem;
      }
      table.calendar thead th:first-child,
      table.calendar th[scope='row'] {
        width: 6rem;
        white-space: nowrap;
        font-weight: normal;
      }
      table.calendar td {
        min-width: 9rem;
        height: 2.5rem;
        position: relative;
      }
      /* Dragging: touch moves the appointment, not the page. */
      button.appt.booked[data-where='grid'] {
        touch-action: none;
        user-select: none;
        cursor: grab;
      }
      /* The card follows the pointer, see-through, under the outline of where it would land. */
      button.appt.dragging {
        position: relative;
        z-index: 2;
        opacity: 0.6;
        cursor: grabbing;
        pointer-events: none;
        box-shadow: 0 4px 12px rgb(16 42 67 / 0.35);
      }
      button.appt[aria-busy='true'] {
        opacity: 0.6;
      }
      .drop-preview {
        position: absolute;
        inset-inline: 2px;
        z-index: 3;
        box-sizing: border-box;
        min-height: 1.5rem;
        padding: 0.1rem 0.3rem;
        border: 2px dashed #1f5f99;
        border-radius: 3px;
        background: rgb(255 255 255 / 0.92);
        color: #102a43;
        font-size: 0.8rem;
        font-weight: 600;
        pointer-events: none;
      }
      ul.appts {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.25rem;
      }
      button.appt {
        display: block;
        width: 100%;
        text-align: left;
        padding: 0.25rem 0.4rem;
        background: #e6f0fa;
        color: #102a43;
        border: 1px solid #486581;
        border-left-width: 4px;
        font-size: 0.875rem;
        line-height: 1.3;
      }
      button.appt.cancelled {
        background: #f0f4f8;
        border-style: dashed;
        text-decoration: line-through;
      }
      button.appt.no-show {
        background: #fff3c4;
      }
      button.appt span {
        display: block;
      }
      .list {
        display: none;
      }
      @media (max-width: 40rem) {
        .scroll {
          display: none;
        }
        .list {
          display: block;
        }
      }
      dialog {
        max-width: min(36rem, calc(100vw - 2rem));
        width: 100%;
        border: 1px solid #486581;
        border-radius: 6px;
      }
      dialog::backdrop {
        background: rgb(16 42 67 / 0.4);
      }
      dl {
        display: grid;
        grid-template-columns: max-content 1fr;
        gap: 0.25rem 1rem;
      }
      dd {
        margin: 0;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        margin-top: 1rem;
      }
      fieldset.slots {
        border: 1px solid #d9e2ec;
        border-radius: 4px;
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem 1rem;
      }
      ul.results {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.25rem;
      }
      ul.results button {
        width: 100%;
        text-align: left;
      }
    `,
  ];

  @state() private zone = 'America/Toronto';
  @state() private view: View = 'day';
  @state() private date = '';
  @state() private providerFilter = '';
  @state() private providers: Provider[] = [];
  @state() private types: AppointmentType[] = [];
  @state() private appointments: StaffAppointment[] | null = null;
  /** What the live region says (a range shown, an action's result). */
  @state() private announcement = '';
  /** The appointment whose details dialog is open, and what the dialog shows. */
  @state() private selected: StaffAppointment | null = null;
  @state() private detailsMode: 'details' | 'confirm-cancel' | 'move' = 'details';
  @state() private booking = false;
  @state() private pick: Pick | null = null;
  @state() private dialogError: string | null = null;
  private readonly search = new PatientSearch(this, (q) => this.api.patients(q), (err) => (this.dialogError = this.describeError(err)));
  @state() private patient: Patient | null = null;
  private bookingApi!: BookingAdminApi;
  /** What opened the dialog, focused again when it closes. */
  private opener: HTMLElement | null = null;
  private slotLoads = 0;
  /** The first load (zone, providers, types): the book dialog waits for it. */
  private loaded: Promise<unknown> = Promise.resolve();
  /** The clinic's slot step (minutes): where a dragged appointment snaps. */
  @state() private slotStep = DEFAULT_STEP_MINUTES;
  /** The appointment a drop is moving (shown at its new place until the server answers). */
  @state() private moving: string | null = null;
  private readonly dragger = new PointerDrag<DropTarget>(this, {
    selector: "button.appt.booked[data-where='grid']",
    target: (x, y, el) => this.dropTarget(x, y, el.dataset.id!),
    drop: (el, target) => void this.dropOn(el.dataset.id!, target),
    cancel: (el, why) => {
      const a = this.appointments?.find((x) => x.id === el.dataset.id);
      if (a && why === 'escape') this.announcement = sentence(this.t('admin.calendar.drop.cancelled', { patient: a.patientName, when: this.when(a.startsAt) }));
    },
  });

  connectedCallback(): void {
    super.connectedCallback();
    this.bookingApi = new BookingAdminApi(this.api);
    this.loaded = this.load();
  }

  protected override describeError(err: unknown): string {
    if (err instanceof ApiError && err.status === 0) return this.t('common.offline');
    const key = err instanceof ApiError ? ERRORS[err.code] : undefined;
    return key ? this.t(key) : this.t('common.error');
  }

  private get locale() {
    return this.lang === 'fr' ? 'fr-CA' : 'en-CA';
  }

  private async load() {
    await this.run(async () => {
      this.zone = (await this.api.messagingSettings()).timeZone;
      this.date ||= this.today();
      const [providers, types, slotStep] = await Promise.all([
        this.bookingApi.providers(),
        this.bookingApi.types(),
        // Only where drags snap: a calendar without it still works.
        this.bookingApi.rules().then((r) => r.slotStepMinutes, () => DEFAULT_STEP_MINUTES),
      ]);
      Object.assign(this, { providers, types, slotStep });
      await this.loadRange(false);
    });
  }

  private today() {
    return new Intl.DateTimeFormat('en-CA', { timeZone: this.zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  }

  /** The first day and the number of days shown. */
  private get range(): { from: string; days: number } {
    return this.view === 'day' ? { from: this.date, days: 1 } : { from: monday(this.date), days: 7 };
  }

  private async loadRange(announce = true) {
    const { from, days } = this.range;
    const answer = await this.bookingApi.calendar(from, days, this.providerFilter || undefined);
    this.zone = answer.timeZone;
    this.appointments = answer.appointments;
    if (announce) this.announcement = translatePlural(this.lang, 'admin.calendar.count', answer.appointments.length, { range: this.rangeLabel() });
  }

  private async go(change: () => void) {
    change();
    await this.run(() => this.loadRange());
  }

  // --- formatting (clinic time zone) ---------------------------------------------------------

  /** The clinic-zone date (YYYY-MM-DD) and hour of an instant. */
  private zoned(iso: string): { date: string; hour: number } {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-CA', { timeZone: this.zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' })
        .formatToParts(new Date(iso))
        .map((p) => [p.type, p.value]),
    );
    return { date: `${parts.year}-${parts.month}-${parts.day}`, hour: Number(parts.hour) };
  }

  private time(iso: string) {
    return new Intl.DateTimeFormat(this.locale, { timeZone: this.zone, hour: 'numeric', minute: '2-digit' }).format(new Date(iso));
  }

  private when(iso: string) {
    return new Intl.DateTimeFormat(this.locale, { timeZone: this.zone, weekday: 'long', month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit' }).format(new Date(iso));
  }

  /** A calendar date as words (it is a date, not an instant: formatted at UTC noon). */
  private dateLabel(date: string, style: 'full' | 'short' = 'full') {
    const opts: Intl.DateTimeFormatOptions = style === 'full' ? { dateStyle: 'full' } : { weekday: 'short', month: 'short', day: 'numeric' };
    return new Intl.DateTimeFormat(this.locale, { ...opts, timeZone: 'UTC' }).format(new Date(`${date}T12:00:00Z`));
  }

  private hourLabel(hour: number) {
    return new Intl.DateTimeFormat(this.locale, { hour: 'numeric', minute: '2-digit', timeZone: 'UTC' }).format(new Date(Date.UTC(2000, 0, 1, hour)));
  }

  private rangeLabel() {
    const { from } = this.range;
    const range = this.view === 'day' ? this.t('admin.calendar.dayOf', { date: this.dateLabel(from) }) : this.t('admin.calendar.weekOf', { date: this.dateLabel(from) });
    const provider = this.providers.find((p) => p.id === this.providerFilter);
    return provider ? this.t('admin.calendar.forOne', { range, provider: provider.name }) : this.t('admin.calendar.forAll', { range });
  }

  private apptLabel(a: StaffAppointment) {
    return `${this.time(a.startsAt)}–${this.time(a.endsAt)}`;
  }

  // --- the grid ------------------------------------------------------------------------------

  /** The day view's columns: the chosen provider, or every active provider and any with appointments shown. */
  private get columns(): Provider[] {
    if (this.providerFilter) return this.providers.filter((p) => p.id === this.providerFilter);
    const busy = new Set((this.appointments ?? []).map((a) => a.providerId));
    return this.providers.filter((p) => p.active || busy.has(p.id));
  }

  private hours(): number[] {
    let first = FIRST_HOUR;
    let last = LAST_HOUR;
    for (const a of this.appointments ?? []) {
      first = Math.min(first, this.zoned(a.startsAt).hour);
      last = Math.max(last, this.zoned(a.startsAt).hour + 1);
    }
    return Array.from({ length: last - first }, (_, i) => first + i);
  }

  private apptButton(a: StaffAppointment, where: 'grid' | 'list', withProvider: boolean) {
    const drag = this.dragger.drag;
    const dragged = where === 'grid' && drag?.element.dataset.id === a.id;
    return html`<li>
      <button
        type="button"
        class="appt ${a.status} ${dragged ? 'dragging' : ''}"
        style=${styleMap(dragged ? { transform: `translate(${drag.dx}px, ${drag.dy}px)` } : {})}
        data-id=${a.id}
        data-where=${where}
        aria-haspopup="dialog"
        aria-busy=${this.moving === a.id ? 'true' : 'false'}
        @click=${(e: Event) => this.openDetails(a, e.currentTarget as HTMLElement)}
      >
        <span class="time">${this.apptLabel(a)}</span>
        <span class="patient">${a.patientName}</span>
        <span class="type">${a.typeName[this.lang]}${withProvider ? ` · ${a.providerName}` : ''}</span>
        <span class="status">${this.t(`admin.booking.status.${a.status}`)}</span>
      </button>
    </li>`;
  }

  private grid() {
    const list = this.appointments ?? [];
    const week = this.view === 'week';
    const { from, days } = this.range;
    const dates = Array.from({ length: days }, (_, i) => addDays(from, i));
    const columns = week ? dates.map((d) => ({ key: d, label: this.dateLabel(d, 'short') })) : this.columns.map((p) => ({ key: p.id, label: p.name }));
    if (!week && columns.length === 0) return html`<p class="muted">${this.t('admin.calendar.noProviders')}</p>`;
    const at = (key: string, hour: number) =>
      list.filter((a) => {
        const z = this.zoned(a.startsAt);
        return z.hour === hour && (week ? z.date === key : a.providerId === key && z.date === from);
      });
    const withProvider = week && !this.providerFilter;
    return html`<div class="scroll">
        <p class="muted">${this.t('admin.calendar.dragHint')}</p>
        <table class="calendar" aria-labelledby="range-h">
          <thead>
            <tr>
              <th scope="col">${this.t('admin.calendar.hour')}</th>
              ${columns.map((c) => html`<th scope="col">${c.label}</th>`)}
            </tr>
          </thead>
          <tbody>
            ${this.hours().map(
              (h) => html`<tr>
                <th scope="row">${this.hourLabel(h)}</th>
                ${columns.map((c) => {
                  const here = at(c.key, h);
                  return html`<td data-col=${c.key} data-hour=${h}>
                    ${here.length ? html`<ul class="appts">${repeat(here, (a) => a.id, (a) => this.apptButton(a, 'grid', withProvider))}</ul>` : nothing}${this.dropPreview(c.key, h)}
                  </td>`;
                })}
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
      <div class="list">
        ${dates.map((d) => {
          const today = list.filter((a) => this.zoned(a.startsAt).date === d);
          // A day's list sits under the range's own heading; a week's has one heading per day.
          return html`${days > 1 ? html`<h3>${this.dateLabel(d)}</h3>` : nothing}
            ${today.length ? html`<ul class="appts">${repeat(today, (a) => a.id, (a) => this.apptButton(a, 'list', !this.providerFilter))}</ul>` : html`<p class="muted">${this.t('admin.calendar.empty')}</p>`}`;
        })}
      </div>`;
  }

  // --- dragging (pointer) --------------------------------------------------------------------

  /** The slot under a viewport point: its cell's column and hour, the minutes snapped to the slot step. */
  private dropTarget(x: number, y: number, id: string): DropTarget | null {
    const a = this.appointments?.find((x) => x.id === id);
    if (!a || this.moving) return null;
    for (const td of this.renderRoot.querySelectorAll<HTMLElement>('table.calendar td[data-hour]')) {
      const r = td.getBoundingClientRect();
      if (x < r.left || x >= r.right || y < r.top || y >= r.bottom) continue;
      const step = Math.min(this.slotStep, 60);
      const minute = Math.min(Math.floor((((y - r.top) / r.height) * 60) / step) * step, 60 - step);
      const hour = Number(td.dataset.hour);
      const week = this.view === 'week';
      const date = week ? td.dataset.col! : this.range.from;
      const providerId = week ? a.providerId : td.dataset.col!;
      const startsAt = clinicInstant(this.zone, date, hour, minute);
      const endsAt = new Date(Date.parse(startsAt) + Date.parse(a.endsAt) - Date.parse(a.startsAt)).toISOString();
      return { providerId, date, hour, minute, startsAt, endsAt };
    }
    return null;
  }

  /** The outline of where the dragged appointment would land, in that cell (its length to scale). */
  private dropPreview(col: string, hour: number) {
    const target = this.dragger.drag?.target;
    if (!target || target.hour !== hour || (this.view === 'week' ? target.date : target.providerId) !== col) return nothing;
    const minutes = (Date.parse(target.endsAt) - Date.parse(target.startsAt)) / 60_000;
    return html`<div class="drop-preview" aria-hidden="true" style=${styleMap({ top: `${(target.minute / 60) * 100}%`, height: `${(minutes / 60) * 100}%` })}>
      ${this.t('admin.calendar.drop.preview', { time: `${this.time(target.startsAt)}–${this.time(target.endsAt)}`, provider: this.providerName(target.providerId) })}
    </div>`;
  }

  /**
   * A drop: the appointment shows at its new place while the server decides (the same move as the
   * dialog's); a refusal puts it back and says why. The focus follows the appointment.
   */
  private async dropOn(id: string, target: DropTarget) {
    const before = this.appointments;
    const a = before?.find((x) => x.id === id);
    if (!before || !a || this.moving || (a.providerId === target.providerId && a.startsAt === target.startsAt)) return;
    this.moving = id;
    this.error = null;
    this.announcement = '';
    this.appointments = before.map((x) => (x.id === id ? { ...x, providerId: target.providerId, providerName: this.providerName(target.providerId), startsAt: target.startsAt, endsAt: target.endsAt } : x));
    try {
      const moved = await this.bookingApi.reschedule(id, { providerId: target.providerId, startsAt: target.startsAt });
      await this.loadRange(false).catch(() => undefined);
      this.announcement = this.t('admin.calendar.moved', { patient: a.patientName, when: this.when(moved.startsAt), provider: moved.providerName });
    } catch (err) {
      this.appointments = before;
      const key = err instanceof ApiError ? DROP_ERRORS[err.code] : undefined;
      const reason = err instanceof ApiError && err.status === 0 ? this.t('common.offline') : this.t(key ?? 'common.error');
      this.error = sentence(this.t('admin.calendar.drop.refused', { patient: a.patientName, when: this.when(a.startsAt), reason }));
      if (err instanceof ApiError && (err.code === 'not_booked' || err.code === 'not_found')) await this.loadRange(false).catch(() => undefined);
    } finally {
      this.moving = null;
    }
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(`button.appt[data-id="${id}"][data-where="grid"]`)?.focus();
  }

  // --- dialogs -------------------------------------------------------------------------------

  private dialog(id: 'details' | 'book') {
    return this.renderRoot.querySelector<HTMLDialogElement>(`dialog#${id}`)!;
  }

  private async showDialog(id: 'details' | 'book', opener: HTMLElement | null) {
    this.opener = opener;
    this.dialogError = null;
    await this.updateComplete;
    const dialog = this.dialog(id);
    if (!dialog.open) dialog.showModal();
    this.renderRoot.querySelector<HTMLElement>(`#${id}-h`)?.focus();
  }

  /** Closes the open dialog; the focus goes back to what opened it (or the same appointment, re-rendered). */
  private closeDialog(id: 'details' | 'book') {
    const dialog = this.dialog(id);
    if (dialog.open) dialog.close();
  }

  private async onClosed(id: 'details' | 'book') {
    const openerId = this.opener?.dataset.id;
    const where = this.opener?.dataset.where;
    if (id === 'details') this.selected = null;
    else this.booking = false;
    this.pick = null;
    this.dialogError = null;
    this.detailsMode = 'details';
    await this.updateComplete;
    const target = openerId ? this.renderRoot.querySelector<HTMLElement>(`button.appt[data-id="${openerId}"][data-where="${where}"]`) : this.opener?.isConnected ? this.opener : null;
    (target ?? this.renderRoot.querySelector<HTMLElement>('#range-h'))?.focus();
    this.opener = null;
  }

  private openDetails(a: StaffAppointment, opener: HTMLElement) {
    this.selected = a;
    this.detailsMode = 'details';
    void this.showDialog('details', opener);
  }

  /** Runs a dialog's action: its error stays in the dialog; on success the range reloads and the result is announced. */
  private async act(id: 'details' | 'book', work: () => Promise<string>): Promise<void> {
    this.busy = true;
    this.dialogError = null;
    try {
      const said = await work();
      // The range first, so the focus can go back to the same appointment where it is now.
      await this.loadRange(false).catch(() => undefined);
      await this.updateComplete;
      this.closeDialog(id);
      this.announcement = said;
    } catch (err) {
      this.dialogError = this.describeError(err);
      if (err instanceof ApiError && (err.code === 'slot_taken' || err.code === 'slot_unavailable')) await this.loadSlots();
      if (err instanceof ApiError && (err.code === 'not_booked' || err.code === 'not_found')) await this.loadRange(false).catch(() => undefined);
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('.dialog-error')?.focus();
    } finally {
      this.busy = false;
    }
  }

  private cancelSelected() {
    const a = this.selected!;
    void this.act('details', async () => {
      await this.bookingApi.setStatus(a.id, 'cancelled');
      return this.t('admin.calendar.cancelled', { patient: a.patientName, when: this.when(a.startsAt) });
    });
  }

  private noShowSelected() {
    const a = this.selected!;
    void this.act('details', async () => {
      await this.bookingApi.setStatus(a.id, 'no-show');
      return this.t('admin.calendar.markedNoShow', { patient: a.patientName, when: this.when(a.startsAt) });
    });
  }

  private async confirmCancel() {
    this.detailsMode = 'confirm-cancel';
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('#cancel-ask')?.focus();
  }

  private async startMove() {
    const a = this.selected!;
    this.detailsMode = 'move';
    this.pick = { typeId: a.typeId, providerId: a.providerId, date: this.zoned(a.startsAt).date, slots: null, nextAvailable: null, chosen: '' };
    await this.loadSlots();
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('#move-h')?.focus();
  }

  private async backToDetails() {
    this.detailsMode = 'details';
    this.pick = null;
    this.dialogError = null;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('#details-h')?.focus();
  }

  private providerName(id: string) {
    return this.providers.find((p) => p.id === id)?.name ?? '';
  }

  private move(e: Event) {
    e.preventDefault();
    const a = this.selected!;
    const chosen = this.chosenSlot();
    if (!chosen) {
      this.dialogError = this.t('admin.calendar.needSlot');
      return;
    }
    void this.act('details', async () => {
      const moved = await this.bookingApi.reschedule(a.id, { providerId: chosen.providerId, startsAt: chosen.startsAt });
      return this.t('admin.calendar.moved', { patient: a.patientName, when: this.when(moved.startsAt), provider: moved.providerName });
    });
  }

  private async openBook(e: Event) {
    const opener = e.currentTarget as HTMLElement;
    await this.loaded;
    this.booking = true;
    this.patient = null;
    this.search.clear();
    const type = this.types.find((t) => t.active);
    this.pick = type ? { typeId: type.id, providerId: this.providerFilter && this.offers(type, this.providerFilter) ? this.providerFilter : '', date: this.date, slots: null, nextAvailable: null, chosen: '' } : null;
    void this.showDialog('book', opener);
    void this.loadSlots();
  }

  private book(e: Event) {
    e.preventDefault();
    const chosen = this.chosenSlot();
    const patient = this.patient;
    if (!patient || !chosen) {
      this.dialogError = this.t(!patient ? 'admin.calendar.needPatient' : 'admin.calendar.needSlot');
      void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(!patient ? '#patient-search' : '.dialog-error')?.focus());
      return;
    }
    void this.act('book', async () => {
      const booked = await this.bookingApi.book(patient.id, { typeId: this.pick!.typeId, providerId: chosen.providerId, startsAt: chosen.startsAt, lang: patient.lang });
      return this.t('admin.calendar.booked', { patient: patient.name, when: this.when(booked.startsAt), provider: booked.providerName });
    });
  }

  // --- slot picker ---------------------------------------------------------------------------

  private offers(type: AppointmentType, providerId: string) {
    return type.providerIds.length === 0 || type.providerIds.includes(providerId);
  }

  private chosenSlot(): Slot | undefined {
    return this.pick?.slots?.find((s) => `${s.providerId}|${s.startsAt}` === this.pick!.chosen);
  }

  private async loadSlots() {
    const p = this.pick;
    if (!p) return;
    const mine = ++this.slotLoads;
    this.pick = { ...p, slots: null, nextAvailable: null, chosen: '' };
    try {
      const list = await this.bookingApi.slots({ typeId: p.typeId, ...(p.providerId ? { providerId: p.providerId } : {}), from: p.date, days: 1 });
      if (mine !== this.slotLoads || !this.pick) return;
      // Moving: its own current time is not a choice.
      const current = this.selected;
      const slots = list.slots.filter((s) => !(current && s.providerId === current.providerId && s.startsAt === current.startsAt));
      this.pick = { ...this.pick, slots, nextAvailable: list.nextAvailable };
    } catch (err) {
      if (mine === this.slotLoads && this.pick) {
        this.pick = { ...this.pick, slots: [] };
        this.dialogError = this.describeError(err);
      }
    }
  }

  private setPick(change: Partial<Pick>) {
    if (!this.pick) return;
    this.pick = { ...this.pick, ...change };
    void this.loadSlots();
  }

  private slotPicker(mode: 'book' | 'move') {
    const p = this.pick;
    if (!p) return html`<p class="muted">${this.t('admin.calendar.noTypes')}</p>`;
    const type = this.types.find((t) => t.id === p.typeId);
    const offering = this.providers.filter((pr) => pr.active && (!type || this.offers(type, pr.id)));
    return html`${mode === 'book'
        ? html`<label
            >${this.t('admin.calendar.type')}
            <select name="type" @change=${(e: Event) => this.setPick({ typeId: (e.target as HTMLSelectElement).value, providerId: '' })}>
              ${this.types.filter((t) => t.active).map((t) => html`<option value=${t.id} ?selected=${t.id === p.typeId}>${t.name[this.lang]} (${this.t('booking.minutes', { n: t.durationMinutes })})</option>`)}
            </select></label
          >`
        : nothing}
      <label
        >${this.t('admin.calendar.with')}
        <select name="provider" @change=${(e: Event) => this.setPick({ providerId: (e.target as HTMLSelectElement).value })}>
          <option value="" ?selected=${!p.providerId}>${this.t('admin.calendar.anyProvider')}</option>
          ${offering.map((pr) => html`<option value=${pr.id} ?selected=${pr.id === p.providerId}>${pr.name}</option>`)}
        </select></label
      >
      <label>${this.t('admin.calendar.slotDate')} <input type="date" name="slot-date" .value=${p.date} @change=${(e: Event) => (e.target as HTMLInputElement).value && this.setPick({ date: (e.target as HTMLInputElement).value })} /></label>
      ${p.slots === null
        ? html`<p class="muted" role="status">${this.t('common.loading')}</p>`
        : p.slots.length === 0
          ? html`<p class="muted" role="status">${this.t('admin.calendar.noSlots')}</p>
              ${p.nextAvailable
                ? html`<button type="button" class="secondary" @click=${() => this.setPick({ date: this.zoned(p.nextAvailable!).date })}>${this.t('admin.calendar.nextOpen', { date: this.dateLabel(this.zoned(p.nextAvailable).date) })}</button>`
                : nothing}`
          : html`<fieldset class="slots">
              <legend>${this.t('admin.calendar.slots', { date: this.dateLabel(p.date) })}</legend>
              ${p.slots.map((s) => {
                const key = `${s.providerId}|${s.startsAt}`;
                return html`<label
                  ><input type="radio" name="slot" value=${key} .checked=${p.chosen === key} @change=${() => (this.pick = { ...this.pick!, chosen: key })} />
                  ${p.providerId ? this.time(s.startsAt) : this.t('admin.calendar.slotWith', { time: this.time(s.startsAt), provider: this.providerName(s.providerId) })}</label
                >`;
              })}
            </fieldset>`}`;
  }

  // --- patient search (the API "Message a patient" uses) -------------------------------------

  private async choosePatient(p: Patient | null) {
    this.patient = p;
    this.search.clear();
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(p ? 'select[name=type]' : '#patient-search')?.focus();
  }

  private patientPicker() {
    const p = this.patient;
    if (p) {
      return html`<p>
        <span>${this.t('admin.calendar.chosen', { name: p.name, dob: p.dateOfBirth })}</span>
        <button type="button" class="secondary" @click=${() => this.choosePatient(null)}>${this.t('admin.calendar.changePatient')}</button>
      </p>`;
    }
    const q = this.search.query.trim();
    return html`<label
        >${this.t('admin.calendar.findPatient')}
        <input id="patient-search" type="search" autocomplete="off" .value=${this.search.query} @input=${(e: Event) => this.search.input((e.target as HTMLInputElement).value)} aria-describedby="patient-count" />
      </label>
      <p id="patient-count" class="muted" role="status">
        ${q.length < 2 ? (q ? this.t('admin.calendar.typeMore') : '') : this.search.results === null ? '' : this.search.results.length ? translatePlural(this.lang, 'admin.calendar.matches', this.search.results.length) : this.t('admin.calendar.noMatch', { q })}
      </p>
      ${this.search.results?.length
        ? html`<ul class="results" aria-label=${this.t('admin.calendar.results')}>
            ${this.search.results.map((r) => html`<li><button type="button" class="secondary" @click=${() => this.choosePatient(r)}>${this.t('admin.calendar.choosePatient', { name: r.name, dob: r.dateOfBirth })}</button></li>`)}
          </ul>`
        : nothing}`;
  }

  private dialogErrorLine() {
    return this.dialogError ? html`<p class="error dialog-error" role="alert" tabindex="-1">${this.dialogError}</p>` : nothing;
  }

  private detailsDialog() {
    const a = this.selected;
    return html`<dialog id="details" aria-labelledby="details-h" @close=${() => this.onClosed('details')}>
      ${a
        ? html`<h2 id="details-h" tabindex="-1">${this.t('admin.calendar.details')}</h2>
            <dl>
              <dt>${this.t('admin.calendar.patient')}</dt>
              <dd>${a.patientName}</dd>
              <dt>${this.t('admin.calendar.type')}</dt>
              <dd>${a.typeName[this.lang]}</dd>
              <dt>${this.t('admin.calendar.with')}</dt>
              <dd>${a.providerName}</dd>
              <dt>${this.t('admin.calendar.when')}</dt>
              <dd>${this.when(a.startsAt)}–${this.time(a.endsAt)}</dd>
              <dt>${this.t('admin.calendar.status')}</dt>
              <dd>${this.t(`admin.booking.status.${a.status}`)}</dd>
            </dl>
            ${this.dialogErrorLine()}
            ${this.detailsMode === 'move'
              ? html`<form class="grid" @submit=${this.move}>
                  <h3 id="move-h" tabindex="-1">${this.t('admin.calendar.reschedule')}</h3>
                  ${this.slotPicker('move')}
                  <div class="actions">
                    <button ?disabled=${this.busy}>${this.t('admin.calendar.moveHere')}</button>
                    <button type="button" class="secondary" @click=${this.backToDetails}>${this.t('admin.calendar.moveBack')}</button>
                  </div>
                </form>`
              : this.detailsMode === 'confirm-cancel'
                ? html`<p id="cancel-ask" tabindex="-1">${this.t('admin.calendar.cancelAsk')}</p>
                    <div class="actions">
                      <button type="button" ?disabled=${this.busy} @click=${this.cancelSelected}>${this.t('admin.calendar.cancelYes')}</button>
                      <button type="button" class="secondary" @click=${this.backToDetails}>${this.t('admin.calendar.cancelNo')}</button>
                    </div>`
                : html`<div class="actions">
                    ${a.status === 'booked'
                      ? html`<button type="button" ?disabled=${this.busy} @click=${this.startMove}>${this.t('admin.calendar.reschedule')}</button>
                          <button type="button" class="secondary" ?disabled=${this.busy} @click=${this.confirmCancel}>${this.t('admin.calendar.cancel')}</button>
                          ${Date.parse(a.startsAt) <= Date.now() ? html`<button type="button" class="secondary" ?disabled=${this.busy} @click=${this.noShowSelected}>${this.t('admin.calendar.noShow')}</button>` : nothing}`
                      : nothing}
                    <button type="button" class="secondary" @click=${() => this.closeDialog('details')}>${this.t('admin.calendar.close')}</button>
                  </div>`}`
        : nothing}
    </dialog>`;
  }

  private bookDialog() {
    return html`<dialog id="book" aria-labelledby="book-h" @close=${() => this.onClosed('book')}>
      ${this.booking
        ? html`<h2 id="book-h" tabindex="-1">${this.t('admin.calendar.book')}</h2>
            <form class="grid" @submit=${this.book} novalidate>
              ${this.patientPicker()} ${this.slotPicker('book')} ${this.dialogErrorLine()}
              <div class="actions">
                <button ?disabled=${this.busy || !this.pick}>${this.t('admin.calendar.confirmBook')}</button>
                <button type="button" class="secondary" @click=${() => this.closeDialog('book')}>${this.t('common.cancel')}</button>
              </div>
            </form>`
        : nothing}
    </dialog>`;
  }

  // --- page ----------------------------------------------------------------------------------

  render() {
    const week = this.view === 'week';
    return html`<h1>${this.t('admin.calendar.title')}</h1>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <p role="status" class="ok" id="announce">${this.announcement || this.status || ''}</p>
      <div class="toolbar">
        <fieldset>
          <legend>${this.t('admin.calendar.view')}</legend>
          ${(['day', 'week'] as const).map(
            (v) =>
              html`<label
                ><input type="radio" name="view" value=${v} .checked=${this.view === v} @change=${() => this.go(() => (this.view = v))} />
                ${this.t(v === 'day' ? 'admin.calendar.viewDay' : 'admin.calendar.viewWeek')}</label
              >`,
          )}
        </fieldset>
        <label
          >${this.t('admin.calendar.provider')}
          <select name="provider-filter" @change=${(e: Event) => this.go(() => (this.providerFilter = (e.target as HTMLSelectElement).value))}>
            <option value="" ?selected=${!this.providerFilter}>${this.t('admin.calendar.allProviders')}</option>
            ${this.providers.map((p) => html`<option value=${p.id} ?selected=${p.id === this.providerFilter}>${p.name}</option>`)}
          </select></label
        >
        <button type="button" class="secondary" ?disabled=${!this.date} @click=${() => this.go(() => (this.date = addDays(this.date, week ? -7 : -1)))}>${this.t(week ? 'admin.calendar.prevWeek' : 'admin.calendar.prevDay')}</button>
        <button type="button" class="secondary" ?disabled=${!this.date} @click=${() => this.go(() => (this.date = this.today()))}>${this.t('admin.calendar.today')}</button>
        <button type="button" class="secondary" ?disabled=${!this.date} @click=${() => this.go(() => (this.date = addDays(this.date, week ? 7 : 1)))}>${this.t(week ? 'admin.calendar.nextWeek' : 'admin.calendar.nextDay')}</button>
        <label>${this.t('admin.calendar.date')} <input type="date" name="date" .value=${this.date} @change=${(e: Event) => (e.target as HTMLInputElement).value && this.go(() => (this.date = (e.target as HTMLInputElement).value))} /></label>
        <button type="button" @click=${this.openBook} aria-haspopup="dialog">${this.t('admin.calendar.book')}</button>
      </div>
      <h2 id="range-h" tabindex="-1">${this.date ? this.rangeLabel() : ''}</h2>
      <p class="muted">${this.t('booking.zone', { zone: this.zone })}</p>
      ${this.appointments === null ? html`<p class="muted">${this.t('common.loading')}</p>` : this.grid()} ${this.detailsDialog()} ${this.bookDialog()}`;
  }
}

defineOnce('sm-calendar-page', SmCalendarPage);

declare global {
  interface HTMLElementTagNameMap {
    'sm-calendar-page': SmCalendarPage;
  }
}
