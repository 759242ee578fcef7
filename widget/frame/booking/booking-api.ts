/** The booking view's API calls, with the signed-in patient's token from the frame's PatientApi. */
import type { Appointment, BookingOptions, BookingRequestReceipt, NewBooking, NewBookingRequest, NewWaitlistEntry, Reschedule, SlotList, WaitlistEntry } from '../../../shared/booking.js';
import { fetchJson } from '../../../shared/fetch-json.js';
import type { PatientApi } from '../patient-api.js';

/** Calls the booking API for the signed-in patient. */
export class BookingApi {
  constructor(private readonly patient: Pick<PatientApi, 'authHeaders'>) {}

  options(): Promise<BookingOptions> {
    return fetchJson('/api/patient/booking/options', { headers: this.patient.authHeaders() });
  }

  slots(q: { typeId: string; providerId?: string; from: string; days: number }): Promise<SlotList> {
    const query = new URLSearchParams({ typeId: q.typeId, from: q.from, days: String(q.days), ...(q.providerId ? { providerId: q.providerId } : {}) });
    return fetchJson(`/api/patient/booking/slots?${query}`, { headers: this.patient.authHeaders() });
  }

  appointments(): Promise<Appointment[]> {
    return fetchJson('/api/patient/appointments', { headers: this.patient.authHeaders() });
  }

  book(input: NewBooking): Promise<Appointment> {
    return fetchJson('/api/patient/appointments', { method: 'POST', body: input, headers: this.patient.authHeaders() });
  }

  reschedule(id: string, input: Reschedule): Promise<Appointment> {
    return fetchJson(`/api/patient/appointments/${encodeURIComponent(id)}/reschedule`, { method: 'POST', body: input, headers: this.patient.authHeaders() });
  }

  cancel(id: string): Promise<Appointment> {
    return fetchJson(`/api/patient/appointments/${encodeURIComponent(id)}/cancel`, { method: 'POST', headers: this.patient.authHeaders() });
  }

  waitlist(): Promise<WaitlistEntry[]> {
    return fetchJson('/api/patient/waitlist', { headers: this.patient.authHeaders() });
  }

  joinWaitlist(input: NewWaitlistEntry): Promise<WaitlistEntry> {
    return fetchJson('/api/patient/waitlist', { method: 'POST', body: input, headers: this.patient.authHeaders() });
  }

  leaveWaitlist(id: string): Promise<{ ok: true }> {
    return fetchJson(`/api/patient/waitlist/${encodeURIComponent(id)}`, { method: 'DELETE', headers: this.patient.authHeaders() });
  }

  acceptOffer(id: string): Promise<Appointment> {
    return fetchJson(`/api/patient/waitlist/offers/${encodeURIComponent(id)}/accept`, { method: 'POST', headers: this.patient.authHeaders() });
  }

  declineOffer(id: string): Promise<{ ok: true }> {
    return fetchJson(`/api/patient/waitlist/offers/${encodeURIComponent(id)}/decline`, { method: 'POST', headers: this.patient.authHeaders() });
  }
}

/** The booking calls a visitor without a session may make: a new patient's view of open times, and the request (the options are PatientApi's: the frame reads them too). */
export class PublicBookingApi {
  constructor(private readonly clinic: string) {}

  slots(q: { typeId: string; providerId?: string; from: string; days: number }): Promise<SlotList> {
    const query = new URLSearchParams({ typeId: q.typeId, from: q.from, days: String(q.days), ...(q.providerId ? { providerId: q.providerId } : {}) });
    return fetchJson(`/api/public/clinics/${encodeURIComponent(this.clinic)}/booking/slots?${query}`);
  }

  request(input: NewBookingRequest): Promise<BookingRequestReceipt> {
    return fetchJson(`/api/public/clinics/${encodeURIComponent(this.clinic)}/booking/requests`, { method: 'POST', body: input });
  }
}
