/**
 * FHIR R4 exports: an appointment as `Appointment`, a provider's open time as a `Schedule` with its
 * `Slot`s (in a `Bundle`). Validated against the R4 definitions in the tests (@medplum/core).
 */
import type { appointmentDetail } from './appointments.js';
import type { Slot } from '../../../shared/booking.js';

type Detail = Awaited<ReturnType<typeof appointmentDetail>>;
/** A FHIR resource, as plain JSON. */
export type FhirJson = { resourceType: string } & Record<string, unknown>;

const STATUS = { booked: 'booked', cancelled: 'cancelled', 'no-show': 'noshow' } as const;

/** An appointment as a FHIR R4 Appointment (the patient by reference only). */
export function appointmentResource(a: Detail): FhirJson {
  return {
    resourceType: 'Appointment',
    id: a.id,
    status: STATUS[a.status],
    appointmentType: { text: a.name_en },
    description: a.name_en,
    start: a.starts_at,
    end: a.ends_at,
    minutesDuration: Math.round((Date.parse(a.ends_at) - Date.parse(a.starts_at)) / 60_000),
    created: a.created_at,
    participant: [
      { actor: { reference: `Patient/${a.patient_id}` }, required: 'required', status: 'accepted' },
      { actor: { reference: `Practitioner/${a.provider_id}`, display: a.provider_name }, required: 'required', status: 'accepted' },
    ],
  };
}

/** A provider's open slots for a type as a FHIR Bundle of one Schedule and its free Slots. */
export function scheduleBundle(provider: { id: string; name: string }, type: { id: string; name: { en: string } }, slots: Slot[], horizon: { start: Date; end: Date }): FhirJson {
  const scheduleId = `${provider.id}-${type.id}`.slice(0, 64);
  const schedule = {
    resourceType: 'Schedule',
    id: scheduleId,
    active: true,
    serviceType: [{ text: type.name.en }],
    actor: [{ reference: `Practitioner/${provider.id}`, display: provider.name }],
    planningHorizon: { start: horizon.start.toISOString(), end: horizon.end.toISOString() },
  };
  const slotResources = slots.map((s) => ({
    resourceType: 'Slot',
    id: `${s.providerId.slice(0, 36)}-${Date.parse(s.startsAt) / 1000}`,
    schedule: { reference: `Schedule/${scheduleId}` },
    status: 'free',
    start: s.startsAt,
    end: s.endsAt,
  }));
  return { resourceType: 'Bundle', type: 'collection', entry: [schedule, ...slotResources].map((resource) => ({ resource })) };
}
