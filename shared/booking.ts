/**
 * Self-booking: the request and response shapes of providers, appointment types, weekly hours,
 * exceptions, rules, open slots and appointments, shared by the server (validation, OpenAPI) and the
 * browser (types only).
 */
import { Type, type Static } from 'typebox';
import { Id, NonBlankLine, OneLine, PatientDetails, Timestamp } from './api.js';

/** Minutes in the 5-minute grid every time in booking sits on (the unit of the no-double-booking constraint). */
export const GRID_MINUTES = 5;
const Minutes = (min: number, max: number) => Type.Integer({ minimum: min, maximum: max, multipleOf: GRID_MINUTES });
/** A wall-clock time on the 5-minute grid, `HH:MM` (24 h). */
const ClockTime = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][05]$', description: 'HH:MM, 24-hour, on a 5-minute grid' });
const IsoDate = Type.String({ format: 'date', description: 'YYYY-MM-DD' });

export const WEEKDAY_CODES = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
export type WeekdayCode = (typeof WEEKDAY_CODES)[number];
export const Weekday = Type.Union([Type.Literal('MO'), Type.Literal('TU'), Type.Literal('WE'), Type.Literal('TH'), Type.Literal('FR'), Type.Literal('SA'), Type.Literal('SU')]);

export const AppointmentMode = Type.Union([Type.Literal('in-person'), Type.Literal('phone'), Type.Literal('video')]);
export type AppointmentMode = Static<typeof AppointmentMode>;

export const BilingualName = Type.Object({ en: NonBlankLine(120), fr: NonBlankLine(120) }, { additionalProperties: false });

// --- set-up (staff) --------------------------------------------------------------------------

/** A person patients book with: a staff member, or a name only (a locum, a nurse without an account). */
export const Provider = Type.Object({ id: Id, name: Type.String(), staffId: Type.Union([Id, Type.Null()]), active: Type.Boolean(), feed: Type.Boolean({ description: 'Has a private calendar feed' }) });
export type Provider = Static<typeof Provider>;
export const NewProvider = Type.Object({ name: NonBlankLine(120), staffId: Type.Optional(Type.Union([Id, Type.Null()])), active: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
export type NewProvider = Static<typeof NewProvider>;
export const ProviderPatch = Type.Partial(NewProvider, { additionalProperties: false, minProperties: 1 });
export type ProviderPatch = Static<typeof ProviderPatch>;

/** The private iCalendar feed of a provider: shown once; making a new one revokes the old. */
export const CalendarFeed = Type.Object({ url: Type.String() });

const typeFields = {
  name: BilingualName,
  durationMinutes: Minutes(5, 480),
  mode: AppointmentMode,
  /** Where an in-person appointment is; for phone or video, shown as is (e.g. "We call you"). */
  location: OneLine(200),
  bufferBeforeMinutes: Minutes(0, 120),
  bufferAfterMinutes: Minutes(0, 120),
  /** Only enrolled patients may book; when false, new patients may also ask for a time, which the clinic approves. */
  existingPatientsOnly: Type.Boolean(),
  /** Who offers it; empty means every provider. */
  providerIds: Type.Array(Id, { maxItems: 100 }),
  active: Type.Boolean(),
  /** A questionnaire of the clinic sent to the patient when this type is booked (due on the appointment's day). */
  questionnaireId: Type.Optional(Type.Union([Id, Type.Null()])),
};
export const AppointmentType = Type.Object({ id: Id, ...typeFields, questionnaireId: Type.Union([Id, Type.Null()]) });
export type AppointmentType = Static<typeof AppointmentType>;
export const NewAppointmentType = Type.Object(typeFields, { additionalProperties: false });
export type NewAppointmentType = Static<typeof NewAppointmentType>;

/** Weekly recurring hours of one provider, in the clinic's time zone (kept as an RRULE). */
export const NewWeeklyHours = Type.Object({ providerId: Id, days: Type.Array(Weekday, { minItems: 1, maxItems: 7, uniqueItems: true }), start: ClockTime, end: ClockTime }, { additionalProperties: false });
export type NewWeeklyHours = Static<typeof NewWeeklyHours>;
export const WeeklyHours = Type.Object({ id: Id, ...NewWeeklyHours.properties, rrule: Type.String() });
export type WeeklyHours = Static<typeof WeeklyHours>;

/** Blocked time (holiday, vacation, meeting): one provider's, or the whole clinic's when `providerId` is null. */
export const NewBookingException = Type.Object({ providerId: Type.Union([Id, Type.Null()]), startsAt: Timestamp, endsAt: Timestamp, label: Type.Optional(OneLine(120)) }, { additionalProperties: false });
export type NewBookingException = Static<typeof NewBookingException>;
export const BookingException = Type.Object({ id: Id, providerId: Type.Union([Id, Type.Null()]), startsAt: Timestamp, endsAt: Timestamp, label: Type.String() });
export type BookingException = Static<typeof BookingException>;

/** How a reminder reaches the patient. */
export const ReminderChannel = Type.Union([Type.Literal('email'), Type.Literal('sms'), Type.Literal('both')]);
export type ReminderChannel = Static<typeof ReminderChannel>;

/** The clinic's booking rules. */
export const BookingRules = Type.Object(
  {
    enabled: Type.Boolean(),
    minNoticeMinutes: Type.Integer({ minimum: 0, maximum: 60 * 24 * 60 }),
    horizonDays: Type.Integer({ minimum: 1, maximum: 366 }),
    maxUpcomingPerPatient: Type.Integer({ minimum: 1, maximum: 50 }),
    cancelCutoffHours: Type.Integer({ minimum: 0, maximum: 24 * 14 }),
    /** Slots start every this many minutes within the hours. */
    slotStepMinutes: Minutes(5, 240),
    /** Reminder e-mails, in minutes before the appointment (e.g. 2880 and 120). */
    reminderMinutesBefore: Type.Array(Type.Integer({ minimum: 15, maximum: 60 * 24 * 14 }), { maxItems: 5, uniqueItems: true }),
    /** How reminders go: e-mail (default), text message, or both; texts only to patients with a mobile number who agreed to them. */
    reminderChannel: Type.Optional(ReminderChannel),
  },
  { additionalProperties: false },
);
export type BookingRules = Static<typeof BookingRules>;

// --- patients ---------------------------------------------------------------------------------

/** What the booking view offers: the clinic's zone, its bookable types and providers. */
export const BookingOptions = Type.Object({
  enabled: Type.Boolean(),
  timeZone: Type.String(),
  clinicName: Type.String(),
  cancelCutoffHours: Type.Integer(),
  /** How far ahead slots open (days): the last day a waitlist window may reach. */
  horizonDays: Type.Optional(Type.Integer()),
  types: Type.Array(Type.Object({ id: Id, name: Type.Object({ en: Type.String(), fr: Type.String() }), durationMinutes: Type.Integer(), mode: AppointmentMode, location: Type.String(), providerIds: Type.Array(Id) })),
  providers: Type.Array(Type.Object({ id: Id, name: Type.String() })),
});
export type BookingOptions = Static<typeof BookingOptions>;

export const SlotQuery = Type.Object(
  {
    typeId: Id,
    providerId: Type.Optional(Id),
    /** First day, in the clinic's time zone (default today). */
    from: Type.Optional(IsoDate),
    days: Type.Optional(Type.Integer({ minimum: 1, maximum: 31, default: 7 })),
  },
  { additionalProperties: false },
);
export type SlotQuery = Static<typeof SlotQuery>;

export const Slot = Type.Object({ providerId: Id, startsAt: Timestamp, endsAt: Timestamp });
export type Slot = Static<typeof Slot>;
export const SlotList = Type.Object({
  timeZone: Type.String(),
  slots: Type.Array(Slot),
  /** When nothing is open in the range: the first open slot after it (within the horizon), else null. */
  nextAvailable: Type.Union([Timestamp, Type.Null()]),
});
export type SlotList = Static<typeof SlotList>;

export const NewBooking = Type.Object({ typeId: Id, providerId: Id, startsAt: Timestamp, lang: Type.Optional(Type.Union([Type.Literal('en'), Type.Literal('fr')])) }, { additionalProperties: false });
export type NewBooking = Static<typeof NewBooking>;
export const Reschedule = Type.Object({ providerId: Type.Optional(Id), startsAt: Timestamp }, { additionalProperties: false });
export type Reschedule = Static<typeof Reschedule>;

export const AppointmentStatus = Type.Union([Type.Literal('booked'), Type.Literal('cancelled'), Type.Literal('no-show')]);
export type AppointmentStatus = Static<typeof AppointmentStatus>;

/** The fields an appointment and a new patient's request for one share (which type, with whom, when); spread first, so both keep their field order. */
const BookedTime = {
  id: Id,
  typeId: Id,
  typeName: Type.Object({ en: Type.String(), fr: Type.String() }),
  providerId: Id,
  providerName: Type.String(),
  startsAt: Timestamp,
  endsAt: Timestamp,
};

/** An appointment as its patient sees it. */
export const Appointment = Type.Object({
  ...BookedTime,
  mode: AppointmentMode,
  location: Type.String(),
  status: AppointmentStatus,
  /** The patient may still cancel or move it (before the cut-off). */
  changeable: Type.Boolean(),
});
export type Appointment = Static<typeof Appointment>;

/** An appointment in the staff day list. */
export const StaffAppointment = Type.Object({ ...Appointment.properties, patientId: Id, patientName: Type.String() });
export type StaffAppointment = Static<typeof StaffAppointment>;
export const DayQuery = Type.Object({ date: IsoDate, providerId: Type.Optional(Id) }, { additionalProperties: false });
export type DayQuery = Static<typeof DayQuery>;
/** A calendar range for staff: `days` days (1 for a day, 7 for a week) from `from`, in the clinic's time zone; one provider or all. */
export const CalendarQuery = Type.Object(
  { from: IsoDate, days: Type.Optional(Type.Integer({ minimum: 1, maximum: 7, default: 1 })), providerId: Type.Optional(Id) },
  { additionalProperties: false },
);
export type CalendarQuery = Static<typeof CalendarQuery>;
/** The appointments (every status) of a calendar range, with the zone its days are counted in. */
export const CalendarRange = Type.Object({ timeZone: Type.String(), from: IsoDate, days: Type.Integer(), appointments: Type.Array(StaffAppointment) });
export type CalendarRange = Static<typeof CalendarRange>;
export const AppointmentPatch = Type.Object({ status: Type.Union([Type.Literal('cancelled'), Type.Literal('no-show')]) }, { additionalProperties: false });
export type AppointmentPatch = Static<typeof AppointmentPatch>;

/** FHIR R4 exports (validated in the tests). */
export const FhirResource = Type.Object({ resourceType: Type.String() }, { additionalProperties: true });
export const FhirSlotQuery = Type.Object({ from: Type.Optional(IsoDate), days: Type.Optional(Type.Integer({ minimum: 1, maximum: 31, default: 7 })), typeId: Id }, { additionalProperties: false });

// --- waitlist -----------------------------------------------------------------------------------

/** Joining the waitlist: a type, a provider or any, and the days (clinic zone) the patient could come. */
export const NewWaitlistEntry = Type.Object(
  { typeId: Id, providerId: Type.Optional(Id), earliest: IsoDate, latest: IsoDate, lang: Type.Optional(Type.Union([Type.Literal('en'), Type.Literal('fr')])) },
  { additionalProperties: false },
);
export type NewWaitlistEntry = Static<typeof NewWaitlistEntry>;

/** A freed slot held for a waitlist entry until `expiresAt`. */
export const WaitlistOffer = Type.Object({ id: Id, providerId: Id, providerName: Type.String(), startsAt: Timestamp, endsAt: Timestamp, expiresAt: Timestamp });
export type WaitlistOffer = Static<typeof WaitlistOffer>;

/** A waitlist entry as its patient sees it, with the slot held for it if any. */
export const WaitlistEntry = Type.Object({
  id: Id,
  typeId: Id,
  typeName: Type.Object({ en: Type.String(), fr: Type.String() }),
  providerId: Type.Union([Id, Type.Null()]),
  providerName: Type.Union([Type.String(), Type.Null()]),
  earliest: IsoDate,
  latest: IsoDate,
  joinedAt: Timestamp,
  offer: Type.Union([WaitlistOffer, Type.Null()]),
});
export type WaitlistEntry = Static<typeof WaitlistEntry>;

/** A waitlist entry in the staff list: with the patient's name. */
export const StaffWaitlistEntry = Type.Object({ ...WaitlistEntry.properties, patientId: Id, patientName: Type.String() });
export type StaffWaitlistEntry = Static<typeof StaffWaitlistEntry>;

// --- booking requests from new patients ------------------------------------------------------

const RequestLang = Type.Union([Type.Literal('en'), Type.Literal('fr')]);

/**
 * A new patient asks for a slot of a type open to new patients: who they are (the least the clinic
 * needs to enrol them: no reason for the visit, no health information beyond the health card number).
 */
export const NewBookingRequest = Type.Object(
  {
    typeId: Id,
    providerId: Id,
    startsAt: Timestamp,
    name: PatientDetails.properties.name,
    dateOfBirth: PatientDetails.properties.dateOfBirth,
    email: PatientDetails.properties.email,
    phone: PatientDetails.properties.phone,
    healthNumber: PatientDetails.properties.healthNumber,
    lang: Type.Optional(RequestLang),
  },
  { additionalProperties: false },
);
export type NewBookingRequest = Static<typeof NewBookingRequest>;

/** What the requester is told: received, for this time (nothing else is echoed back). */
export const BookingRequestReceipt = Type.Object({ status: Type.Literal('pending'), startsAt: Timestamp });
export type BookingRequestReceipt = Static<typeof BookingRequestReceipt>;

export const BookingRequestStatus = Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('declined')]);
export type BookingRequestStatus = Static<typeof BookingRequestStatus>;

/** A request as the clinic's staff see it, with the patient it would be linked to (same e-mail or health number), if any. */
export const StaffBookingRequest = Type.Object({
  ...BookedTime,
  /** The clinic's time zone, in which to show the times. */
  timeZone: Type.String(),
  name: Type.String(),
  dateOfBirth: Type.String(),
  email: Type.String(),
  phone: Type.Union([Type.String(), Type.Null()]),
  healthNumber: Type.Union([Type.String(), Type.Null()]),
  lang: RequestLang,
  status: BookingRequestStatus,
  /** The pending request still keeps its time from others. */
  held: Type.Boolean(),
  holdExpiresAt: Timestamp,
  match: Type.Union([Type.Object({ patientId: Id, patientName: Type.String(), by: Type.Union([Type.Literal('email'), Type.Literal('healthNumber')]) }), Type.Null()]),
  patientId: Type.Union([Id, Type.Null()]),
  appointmentId: Type.Union([Id, Type.Null()]),
  createdAt: Timestamp,
});
export type StaffBookingRequest = Static<typeof StaffBookingRequest>;

export const BookingRequestQuery = Type.Object({ status: Type.Optional(BookingRequestStatus) }, { additionalProperties: false });
export type BookingRequestQuery = Static<typeof BookingRequestQuery>;

/** Approving: at the requested time, or at another one staff pick (when the requested one is gone). */
export const ApproveBookingRequest = Type.Object({ providerId: Type.Optional(Id), startsAt: Type.Optional(Timestamp) }, { additionalProperties: false });
export type ApproveBookingRequest = Static<typeof ApproveBookingRequest>;

/** Declining, with an optional note e-mailed to the requester (no health information). */
export const DeclineBookingRequest = Type.Object({ message: Type.Optional(Type.String({ maxLength: 1000 })) }, { additionalProperties: false });
export type DeclineBookingRequest = Static<typeof DeclineBookingRequest>;
