/** The Booking page's API calls (staff session cookie), through AdminApi.call so a 401 tells the shell the session ended. */
import type { ApproveBookingRequest, BookingRequestStatus, StaffBookingRequest, Appointment, AppointmentType, BookingException, BookingRules, CalendarRange, NewAppointmentType, NewBooking, NewBookingException, NewWeeklyHours, Provider, Reschedule, SlotList, SlotQuery, StaffAppointment, StaffWaitlistEntry, WeeklyHours } from '../shared/booking.js';
import type { AdminApi } from './admin-api.js';

/** Booking set-up and the day list, for staff. */
export class BookingAdminApi {
  constructor(private readonly api: Pick<AdminApi, 'call'>) {}

  /** New patients' booking requests of a status (pending by default). */
  requests(status: BookingRequestStatus = 'pending'): Promise<StaffBookingRequest[]> {
    return this.api.call(`/api/booking/requests?status=${status}`);
  }
  /** Approves a request (at its time, or at another one): links or enrols the patient and books. */
  approveRequest(id: string, at: ApproveBookingRequest = {}): Promise<StaffAppointment> {
    return this.api.call(`/api/booking/requests/${encodeURIComponent(id)}/approve`, { method: 'POST', body: at });
  }
  /** Declines a request, with an optional note e-mailed to the requester. */
  declineRequest(id: string, message: string): Promise<{ ok: true }> {
    return this.api.call(`/api/booking/requests/${encodeURIComponent(id)}/decline`, { method: 'POST', body: message ? { message } : {} });
  }
  /** The clinic's waitlist (waiting entries with any time held for them). */
  waitlist(): Promise<StaffWaitlistEntry[]> {
    return this.api.call('/api/booking/waitlist');
  }
  /** Takes an entry off the waitlist (a time held for it passes on). */
  removeWaitlist(id: string): Promise<{ ok: true }> {
    return this.api.call(`/api/booking/waitlist/${encodeURIComponent(id)}`, { method: 'DELETE' });
  }
  day(date: string): Promise<StaffAppointment[]> {
    return this.api.call(`/api/booking/appointments?date=${encodeURIComponent(date)}`);
  }
  /** The appointments of `days` days from `from` (clinic zone); one provider's or all. */
  calendar(from: string, days: number, providerId?: string): Promise<CalendarRange> {
    const q = new URLSearchParams({ from, days: String(days), ...(providerId ? { providerId } : {}) });
    return this.api.call(`/api/booking/calendar?${q}`);
  }
  /** Open slots of a type (one provider or all) over days from a date. */
  slots(query: SlotQuery): Promise<SlotList> {
    const q = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
    return this.api.call(`/api/booking/slots?${q}`);
  }
  /** Books an open slot for a patient. */
  book(patientId: string, booking: NewBooking): Promise<Appointment> {
    return this.api.call('/api/booking/appointments', { method: 'POST', body: { ...booking, patientId } });
  }
  /** Moves an appointment to another open slot of its type. */
  reschedule(id: string, to: Reschedule): Promise<Appointment> {
    return this.api.call(`/api/booking/appointments/${encodeURIComponent(id)}/reschedule`, { method: 'POST', body: to });
  }
  setStatus(id: string, status: 'cancelled' | 'no-show'): Promise<unknown> {
    return this.api.call(`/api/booking/appointments/${encodeURIComponent(id)}`, { method: 'PATCH', body: { status } });
  }
  rules(): Promise<BookingRules> {
    return this.api.call('/api/booking/rules');
  }
  saveRules(rules: BookingRules): Promise<BookingRules> {
    return this.api.call('/api/booking/rules', { method: 'PUT', body: rules });
  }
  providers(): Promise<Provider[]> {
    return this.api.call('/api/booking/providers');
  }
  addProvider(name: string): Promise<Provider> {
    return this.api.call('/api/booking/providers', { method: 'POST', body: { name } });
  }
  setProviderActive(id: string, active: boolean): Promise<Provider> {
    return this.api.call(`/api/booking/providers/${encodeURIComponent(id)}`, { method: 'PATCH', body: { active } });
  }
  newFeed(id: string): Promise<{ url: string }> {
    return this.api.call(`/api/booking/providers/${encodeURIComponent(id)}/feed`, { method: 'POST' });
  }
  revokeFeed(id: string): Promise<unknown> {
    return this.api.call(`/api/booking/providers/${encodeURIComponent(id)}/feed`, { method: 'DELETE' });
  }
  types(): Promise<AppointmentType[]> {
    return this.api.call('/api/booking/types');
  }
  addType(t: NewAppointmentType): Promise<AppointmentType> {
    return this.api.call('/api/booking/types', { method: 'POST', body: t });
  }
  replaceType(id: string, t: NewAppointmentType): Promise<AppointmentType> {
    return this.api.call(`/api/booking/types/${encodeURIComponent(id)}`, { method: 'PUT', body: t });
  }
  hours(): Promise<WeeklyHours[]> {
    return this.api.call('/api/booking/hours');
  }
  addHours(h: NewWeeklyHours): Promise<WeeklyHours> {
    return this.api.call('/api/booking/hours', { method: 'POST', body: h });
  }
  removeHours(id: string): Promise<unknown> {
    return this.api.call(`/api/booking/hours/${encodeURIComponent(id)}`, { method: 'DELETE' });
  }
  exceptions(): Promise<BookingException[]> {
    return this.api.call('/api/booking/exceptions');
  }
  addException(x: NewBookingException): Promise<BookingException> {
    return this.api.call('/api/booking/exceptions', { method: 'POST', body: x });
  }
  removeException(id: string): Promise<unknown> {
    return this.api.call(`/api/booking/exceptions/${encodeURIComponent(id)}`, { method: 'DELETE' });
  }
}
