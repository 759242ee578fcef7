/**
 * The API's request and response shapes, one source for the server (validation, OpenAPI) and the
 * browser (types only: `import type`). Field names are the wire names.
 */
import { Type, type Static } from 'typebox';
import { MIN_PASSWORD_LENGTH } from './roles.js';

/** A record id: UUIDs and similar, nothing that needs escaping. */
export const Id = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' });
/** An ISO-8601 instant. */
export const Timestamp = Type.String({ format: 'date-time' });
const Email = Type.String({ format: 'email', maxLength: 254 });
const IsoDate = Type.String({ format: 'date', description: 'YYYY-MM-DD' });
/** A TCP port, 0 to 65535 (a URL with a larger one does not parse). */
const PORT = '([0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])';
/** An origin as a browser sends it in the Origin header: scheme, host and optional port. */
export const OriginPattern = `^https?://[a-zA-Z0-9.-]+(:${PORT})?$`;
const Origin = Type.String({ pattern: OriginPattern, maxLength: 255 });
const ColorHex = Type.String({ pattern: '^#[0-9a-fA-F]{6}$' });
const NonBlank = (max: number) => Type.String({ minLength: 1, maxLength: max, pattern: '\\S' });
/** Characters no single-line field (name, subject, title) may hold: C0/C1 controls, DEL and line separators. */
const CONTROL = '\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029';
/** One line of text, possibly empty: no control characters or line breaks. */
export const OneLine = (max: number) => Type.String({ maxLength: max, pattern: `^[^${CONTROL}]*$` });
/** One line of text with at least one visible character: names, subjects, titles. */
export const NonBlankLine = (max: number) => Type.String({ minLength: 1, maxLength: max, pattern: `^[^${CONTROL}]*[^\\s${CONTROL}][^${CONTROL}]*$` });

/** Machine-readable details of a refusal (e.g. `{ limit: 3, resetsAt: '…' }`), for wording it in the reader's language. */
export const ErrorParams = Type.Object({}, { additionalProperties: Type.Union([Type.String({ maxLength: 200 }), Type.Number()]) });
export type ErrorParams = Record<string, string | number>;

/**
 * Every error body: a stable machine code, an English sentence (for logs and API users; browsers
 * word the code from their own catalog) and, for some codes, parameters.
 */
export const ErrorBody = Type.Object({
  code: Type.String(),
  message: Type.String(),
  params: Type.Optional(ErrorParams),
  requestId: Type.Optional(Type.String()),
});
export type ErrorBody = Static<typeof ErrorBody>;

export const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  database: Type.Union([Type.Literal('reachable'), Type.Literal('unreachable')]),
  /** Whether the database accepts writes (a full disk or I/O trouble says `unavailable`). */
  storage: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
  /** The code of the storage error, when there is one (e.g. SQLITE_FULL, 53100). */
  storageError: Type.Optional(Type.String()),
  dialect: Type.String(),
  /** Free space where the SQLite file lives (absent on PostgreSQL). */
  diskFreeBytes: Type.Optional(Type.Integer()),
  /** Jobs waiting and failed (failed e-mail is listed in the admin). */
  jobs: Type.Object({ pending: Type.Integer(), failed: Type.Integer() }),
});

export const Lang = Type.Union([Type.Literal('en'), Type.Literal('fr')]);
export const Role = Type.Union([Type.Literal('admin'), Type.Literal('physician'), Type.Literal('staff')]);

export const Password = Type.String({ minLength: MIN_PASSWORD_LENGTH, maxLength: 256 });

// --- staff sign-in and accounts -----------------------------------------------------------

export const StaffLogin = Type.Object({ email: Email, password: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false });
export type StaffLogin = Static<typeof StaffLogin>;

export const StaffMember = Type.Object({
  id: Id,
  name: Type.String(),
  email: Type.String(),
  role: Role,
  disabled: Type.Boolean(),
  createdAt: Timestamp,
});
export type StaffMember = Static<typeof StaffMember>;

export const Me = Type.Object({
  staff: StaffMember,
  clinic: Type.Object({ id: Id, slug: Type.String(), name: Type.String() }),
  devMailbox: Type.Boolean({ description: 'true when e-mail is kept in the development mailbox and this staff member (an administrator) may read it' }),
});
export type Me = Static<typeof Me>;

export const NewStaff = Type.Object({ name: NonBlankLine(120), email: Email, role: Role, password: Password }, { additionalProperties: false });
export type NewStaff = Static<typeof NewStaff>;

export const StaffPatch = Type.Object(
  { name: Type.Optional(NonBlankLine(120)), role: Type.Optional(Role), disabled: Type.Optional(Type.Boolean()), password: Type.Optional(Password) },
  { additionalProperties: false, minProperties: 1 },
);
export type StaffPatch = Static<typeof StaffPatch>;

// --- clinic settings ------------------------------------------------------------------------

export const ConsentText = Type.Object({ en: NonBlank(4000), fr: NonBlank(4000) }, { additionalProperties: false });

export const ClinicSettings = Type.Object(
  {
    name: NonBlankLine(120),
    allowedOrigins: Type.Array(Origin, { maxItems: 20, uniqueItems: true }),
    brandColor: ColorHex,
    consentText: ConsentText,
  },
  { additionalProperties: false },
);
export type ClinicSettings = Static<typeof ClinicSettings>;

/** The settings plus the clinic's identity (one object: an `allOf` of closed objects could never match). */
export const Clinic = Type.Object({ id: Id, slug: Type.String(), ...ClinicSettings.properties }, { additionalProperties: false });
export type Clinic = Static<typeof Clinic>;

/** What any visitor may read about a clinic: nothing private. */
export const PublicClinic = Type.Object({
  slug: Type.String(),
  name: Type.String(),
  brandColor: ColorHex,
  consentText: ConsentText,
});
export type PublicClinic = Static<typeof PublicClinic>;

// --- patients -------------------------------------------------------------------------------

const Phone = Type.String({ pattern: '^[+0-9 ()-]{7,20}$' });
/** Ontario health card: 10 digits, optional two-letter version code. */
const HealthNumber = Type.String({ pattern: '^[0-9]{10}([A-Za-z]{2})?$' });

export const PatientDetails = Type.Object(
  {
    name: NonBlankLine(120),
    dateOfBirth: IsoDate,
    email: Email,
    phone: Type.Optional(Type.Union([Phone, Type.Null()])),
    healthNumber: Type.Optional(Type.Union([HealthNumber, Type.Null()])),
    lang: Type.Optional(Lang),
  },
  { additionalProperties: false },
);
export type PatientDetails = Static<typeof PatientDetails>;

export const PatientPatch = Type.Partial(PatientDetails, { additionalProperties: false, minProperties: 1 });
export type PatientPatch = Static<typeof PatientPatch>;

export const Patient = Type.Object({
  id: Id,
  name: Type.String(),
  dateOfBirth: Type.String(),
  email: Type.String(),
  phone: Type.Union([Type.String(), Type.Null()]),
  healthNumber: Type.Union([Type.String(), Type.Null()]),
  lang: Lang,
  consentedAt: Type.Union([Timestamp, Type.Null()]),
  createdAt: Timestamp,
});
export type Patient = Static<typeof Patient>;

export const PatientQuery = Type.Object({ q: Type.Optional(Type.String({ maxLength: 120 })) }, { additionalProperties: false });

// --- patient sign-in (inside the widget frame) ----------------------------------------------

export const CodeRequest = Type.Object({ clinic: Type.String({ minLength: 1, maxLength: 64 }), email: Email, lang: Type.Optional(Lang) }, { additionalProperties: false });
export type CodeRequest = Static<typeof CodeRequest>;

export const CodeChallenge = Type.Object({ challengeId: Id, expiresAt: Timestamp });
export type CodeChallenge = Static<typeof CodeChallenge>;

export const CodeVerify = Type.Object(
  { challengeId: Id, code: Type.String({ pattern: '^[0-9]{6}$' }), dateOfBirth: IsoDate, sharedDevice: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export type CodeVerify = Static<typeof CodeVerify>;

export const PatientSelf = Type.Object({ name: Type.String(), consentRequired: Type.Boolean(), consentText: Type.String() });
export type PatientSelf = Static<typeof PatientSelf>;

/**
 * The key pair for what this signed-in device keeps offline (base64 SPKI / PKCS#8, RSA-OAEP SHA-256).
 * `keyId` changes with every session, so a device can tell its stored data belongs to an ended one.
 */
export const DeviceKeys = Type.Object({ keyId: Type.String(), publicKey: Type.String(), privateKey: Type.String() });
export type DeviceKeys = Static<typeof DeviceKeys>;

export const PatientSession = Type.Object({ token: Type.String(), expiresAt: Timestamp, patient: PatientSelf });
export type PatientSession = Static<typeof PatientSession>;

export const ConsentAccept = Type.Object({ accept: Type.Literal(true) }, { additionalProperties: false });

// --- audit and dev mailbox ------------------------------------------------------------------

export const AuditEntry = Type.Object({
  id: Id,
  at: Timestamp,
  actorType: Type.String(),
  actorId: Type.Union([Type.String(), Type.Null()]),
  actorName: Type.Union([Type.String(), Type.Null()]),
  role: Type.Union([Type.String(), Type.Null()]),
  patientId: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  target: Type.Union([Type.String(), Type.Null()]),
  outcome: Type.String(),
  requestId: Type.Union([Type.String(), Type.Null()]),
});
export type AuditEntry = Static<typeof AuditEntry>;

export const AuditQuery = Type.Object(
  {
    patientId: Type.Optional(Id),
    actorId: Type.Optional(Id),
    action: Type.Optional(Type.String({ maxLength: 64 })),
    from: Type.Optional(Timestamp),
    to: Type.Optional(Timestamp),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof AuditQuery>;

export const MailItem = Type.Object({ id: Id, to: Type.String(), subject: Type.String(), text: Type.String(), createdAt: Timestamp });
export type MailItem = Static<typeof MailItem>;

export const IdParams = Type.Object({ id: Id });

/** Kinds of e-mail the server sends (none carries health information). */
export const MailKind = Type.Union([Type.Literal('new-message'), Type.Literal('sign-in-code'), Type.Literal('staff-digest')]);

/** One outgoing e-mail as the clinic's admins see it in the queue. */
export const OutgoingMail = Type.Object({
  id: Id,
  kind: MailKind,
  /** The recipient's name (patient or staff member); their address is not shown. */
  recipient: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')]),
  attempts: Type.Integer(),
  maxAttempts: Type.Integer(),
  /** The last error's code (e.g. ECONNREFUSED, "SMTP 550"), never its text. */
  lastError: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
  /** When the next attempt is due (pending), or when it ended (done, failed). */
  at: Timestamp,
});
export type OutgoingMail = Static<typeof OutgoingMail>;

export const OutgoingMailQuery = Type.Object({ status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('failed'), Type.Literal('done')])) }, { additionalProperties: false });
export type OutgoingMailQuery = Static<typeof OutgoingMailQuery>;
