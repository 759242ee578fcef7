/**
 * The API's request and response shapes, one source for the server (validation, OpenAPI) and the
 * browser (types only: `import type`). Field names are the wire names.
 */
import { Type, type Static } from 'typebox';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './roles.js';
import { MOBILE_PATTERN } from './mobile.js';

/** A record id: UUIDs and similar, nothing that needs escaping. */
export const Id = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' });
/** An ISO-8601 instant. */
export const Timestamp = Type.String({ format: 'date-time' });
const Email = Type.String({ format: 'email', maxLength: 254 });
const IsoDate = Type.String({ format: 'date', description: 'YYYY-MM-DD' });
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
/** One problem at a field of a form (`field` a dotted path into the request body, e.g. `hours.tue.0.end`). */
export const FieldError = Type.Object({ code: Type.String(), field: Type.String(), params: Type.Optional(ErrorParams) });
export type FieldError = { code: string; field: string; params?: ErrorParams };

export const ErrorBody = Type.Object({
  code: Type.String(),
  message: Type.String(),
  params: Type.Optional(ErrorParams),
  /** The field the (first) problem is at, when the refusal is about one field of the body. */
  field: Type.Optional(Type.String()),
  /** Every problem found, each at its field, when a form was checked as a whole (`code` is the first one's). */
  errors: Type.Optional(Type.Array(FieldError)),
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

/**
 * A new password. The length rule is the server's (so it answers `password_too_short`,
 * `password_too_long` or `common_password`, which the browser words), not the schema's.
 */
export const Password = Type.String({ minLength: 1, maxLength: 1024, description: `${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters, any characters, not a common password` });

// --- staff sign-in and accounts -----------------------------------------------------------

export const StaffLogin = Type.Object({ email: Email, password: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false });
export type StaffLogin = Static<typeof StaffLogin>;

/** The signed-in person's own password, to confirm it is them before a change to how they sign in. */
export const PasswordConfirmation = Type.Object({ password: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false });
export type PasswordConfirmation = Static<typeof PasswordConfirmation>;

export const StaffMember = Type.Object({
  id: Id,
  name: Type.String(),
  email: Type.String(),
  role: Role,
  disabled: Type.Boolean(),
  createdAt: Timestamp,
  twoFactor: Type.Optional(Type.Boolean({ description: 'Has an authenticator app or a passkey (in the staff list)' })),
  /** Present while the person is invited and has not set a password: when their link expires (or expired). */
  invitation: Type.Optional(Type.Object({ expiresAt: Timestamp, expired: Type.Boolean() })),
});
export type StaffMember = Static<typeof StaffMember>;

export const Me = Type.Object({
  staff: StaffMember,
  clinic: Type.Object({ id: Id, slug: Type.String(), name: Type.String() }),
  devMailbox: Type.Boolean({ description: 'true when e-mail is kept in the development mailbox and this staff member (an administrator) may read it' }),
  enrolmentRequired: Type.Optional(
    Type.Boolean({ description: 'true when the clinic requires two-factor sign-in and this person has no factor yet: until they set one up, every other operation answers 403 `two_factor_required`' }),
  ),
});
export type Me = Static<typeof Me>;

/** An invitation: the person sets their own password from the e-mailed link (in `lang`, default English). */
export const NewStaff = Type.Object({ name: NonBlankLine(120), email: Email, role: Role, lang: Type.Optional(Lang) }, { additionalProperties: false });
export type NewStaff = Static<typeof NewStaff>;

/** Sending an invitation again (a new link; the old one stops working). */
export const InvitationResend = Type.Object({ lang: Type.Optional(Lang) }, { additionalProperties: false });
export type InvitationResend = Static<typeof InvitationResend>;

/** The token of a one-time link (invitation or password reset), from the link's fragment. */
const LinkToken = Type.String({ pattern: '^[A-Za-z0-9_-]{20,100}$' });
export const LinkCheck = Type.Object({ token: LinkToken }, { additionalProperties: false });
export type LinkCheck = Static<typeof LinkCheck>;

/** Who an invitation is for, shown on the page where they set their password. */
export const InvitationInfo = Type.Object({ name: Type.String(), email: Type.String(), clinic: Type.String() });
export type InvitationInfo = Static<typeof InvitationInfo>;

/** Setting a password through a link (invitation or password reset). */
export const SetPasswordWithLink = Type.Object({ token: LinkToken, password: Password }, { additionalProperties: false });
export type SetPasswordWithLink = Static<typeof SetPasswordWithLink>;

/** "I forgot my password": answered the same whether or not the address is known. */
export const PasswordResetRequest = Type.Object({ email: Email, lang: Type.Optional(Lang) }, { additionalProperties: false });
export type PasswordResetRequest = Static<typeof PasswordResetRequest>;

/** The account a reset link is for (its e-mail, for password managers). */
export const PasswordResetInfo = Type.Object({ email: Type.String() });
export type PasswordResetInfo = Static<typeof PasswordResetInfo>;

export const StaffPatch = Type.Object(
  { name: Type.Optional(NonBlankLine(120)), role: Type.Optional(Role), disabled: Type.Optional(Type.Boolean()), password: Type.Optional(Password) },
  { additionalProperties: false, minProperties: 1 },
);
export type StaffPatch = Static<typeof StaffPatch>;

// --- two-factor sign-in ---------------------------------------------------------------------

export const SecondFactorMethod = Type.Union([Type.Literal('totp'), Type.Literal('passkey'), Type.Literal('recovery')]);
export type SecondFactorMethod = Static<typeof SecondFactorMethod>;

/** The answer to a correct password when the account has a second factor: no session yet. */
export const SecondFactorNeeded = Type.Object(
  { secondFactor: Type.Array(SecondFactorMethod, { description: 'The ways this sign-in can be completed' }) },
  { additionalProperties: false },
);
export type SecondFactorNeeded = Static<typeof SecondFactorNeeded>;

/** A 6-digit code from an authenticator app. */
export const TotpCode = Type.Object({ code: Type.String({ pattern: '^[0-9]{6}$' }) }, { additionalProperties: false });
export type TotpCode = Static<typeof TotpCode>;

/** A recovery code as typed (case, spaces and hyphens are ignored). */
export const RecoveryCode = Type.Object({ code: Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9 -]+$' }) }, { additionalProperties: false });
export type RecoveryCode = Static<typeof RecoveryCode>;

/** WebAuthn options for the browser (PublicKeyCredentialCreationOptionsJSON / RequestOptionsJSON). */
export const PasskeyOptions = Type.Object({ challenge: Type.String() }, { additionalProperties: true });

/** What the browser's WebAuthn call returned (RegistrationResponseJSON / AuthenticationResponseJSON), checked by the server. */
export const PasskeyCredential = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 1400, pattern: '^[A-Za-z0-9_-]+$' }),
    rawId: Type.String({ minLength: 1, maxLength: 1400, pattern: '^[A-Za-z0-9_-]+$' }),
    type: Type.Literal('public-key'),
    response: Type.Object({ clientDataJSON: Type.String({ maxLength: 8000 }) }, { additionalProperties: true }),
    clientExtensionResults: Type.Object({}, { additionalProperties: true }),
    authenticatorAttachment: Type.Optional(Type.String({ maxLength: 40 })),
  },
  { additionalProperties: false },
);

export const NewPasskey = Type.Object({ name: NonBlankLine(60), response: PasskeyCredential }, { additionalProperties: false });
export const PasskeySignIn = Type.Object({ response: PasskeyCredential }, { additionalProperties: false });

export const Passkey = Type.Object({ id: Type.String(), name: Type.String(), createdAt: Timestamp, lastUsedAt: Type.Union([Timestamp, Type.Null()]) });
export type Passkey = Static<typeof Passkey>;

/** The signed-in staff member's factors. */
export const TwoFactorStatus = Type.Object({
  required: Type.Boolean({ description: 'The clinic requires two-factor sign-in' }),
  totp: Type.Boolean({ description: 'An authenticator app is set up' }),
  recoveryCodesLeft: Type.Integer({ minimum: 0 }),
  passkeys: Type.Array(Passkey),
});
export type TwoFactorStatus = Static<typeof TwoFactorStatus>;

/** A new authenticator-app secret, not active until a code from it is confirmed. */
export const TotpSetup = Type.Object({
  uri: Type.String({ description: 'otpauth:// URI' }),
  secret: Type.String({ description: 'The key in base32, for typing into the app' }),
  qrSvg: Type.String({ description: 'The URI as an SVG QR code' }),
});
export type TotpSetup = Static<typeof TotpSetup>;

/** Recovery codes, shown once (null when the account already had unused ones). */
export const RecoveryCodes = Type.Object({ recoveryCodes: Type.Union([Type.Array(Type.String()), Type.Null()]) });
export type RecoveryCodes = Static<typeof RecoveryCodes>;

export const PasskeyAdded = Type.Object({ passkey: Passkey, recoveryCodes: Type.Union([Type.Array(Type.String()), Type.Null()]) });
export type PasskeyAdded = Static<typeof PasskeyAdded>;

// --- clinic settings ------------------------------------------------------------------------

export const ConsentText = Type.Object({ en: NonBlank(4000), fr: NonBlank(4000) }, { additionalProperties: false });

export const ClinicSettings = Type.Object(
  {
    name: NonBlankLine(120),
    allowedOrigins: Type.Array(Type.String({ minLength: 1, maxLength: 2048, description: 'A website address as typed (www.myclinic.ca, https://MyClinic.ca/contact); saved as its origin' }), { maxItems: 20 }),
    brandColor: ColorHex,
    consentText: ConsentText,
    requireTwoFactor: Type.Optional(Type.Boolean({ description: 'Every staff member must sign in with a second factor (absent: unchanged)' })),
    patientPageUrl: Type.Optional(
      Type.Union([Type.String({ maxLength: 2048 }), Type.Null()], { description: 'The https page where the messaging widget lives, the link in patients\' e-mail notices (null: none; absent: unchanged)' }),
    ),
  },
  { additionalProperties: false },
);
export type ClinicSettings = Static<typeof ClinicSettings>;

/** The settings plus the clinic's identity (one object: an `allOf` of closed objects could never match). */
export const Clinic = Type.Object(
  { id: Id, slug: Type.String(), ...ClinicSettings.properties, requireTwoFactor: Type.Boolean(), patientPageUrl: Type.Union([Type.String(), Type.Null()]) },
  { additionalProperties: false },
);
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
/** A mobile number for text messages, strictly E.164: "+", country code, number, no spaces (e.g. +15145550123). */
export const MobileNumber = Type.String({ pattern: MOBILE_PATTERN.source });
/** Ontario health card: 10 digits, optional two-letter version code. */
const HealthNumber = Type.String({ pattern: '^[0-9]{10}([A-Za-z]{2})?$' });

export const PatientDetails = Type.Object(
  {
    name: NonBlankLine(120),
    dateOfBirth: IsoDate,
    email: Email,
    phone: Type.Optional(Type.Union([Phone, Type.Null()])),
    mobile: Type.Optional(Type.Union([MobileNumber, Type.Null()])),
    /** Whether the patient agrees to text messages (recorded with the date; false withdraws it). */
    smsConsent: Type.Optional(Type.Boolean()),
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
  mobile: Type.Union([Type.String(), Type.Null()]),
  /** When the patient agreed to text messages; null: no texts. */
  smsConsentAt: Type.Union([Timestamp, Type.Null()]),
  healthNumber: Type.Union([Type.String(), Type.Null()]),
  lang: Lang,
  consentedAt: Type.Union([Timestamp, Type.Null()]),
  createdAt: Timestamp,
});
export type Patient = Static<typeof Patient>;

/** Where the previous page of a list ended (its `nextCursor`). */
export const PageCursor = Type.String({ maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' });

export const PatientQuery = Type.Object(
  { q: Type.Optional(Type.String({ maxLength: 120 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })), cursor: Type.Optional(PageCursor) },
  { additionalProperties: false },
);
export type PatientQuery = Static<typeof PatientQuery>;

/** One page of patients, most recently enrolled first; `nextCursor` fetches the next (null on the last page). */
export const PatientPage = Type.Object({ patients: Type.Array(Patient), nextCursor: Type.Union([Type.String(), Type.Null()]) });
export type PatientPage = Static<typeof PatientPage>;

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

/** Asks for the session kept in the frame's cookie (browsers that refuse the frame any storage). */
export const SessionResume = Type.Object({ clinic: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
export type SessionResume = Static<typeof SessionResume>;

/** The bearer token of the session the cookie kept. */
export const ResumedSession = Type.Object({ token: Type.String() });
export type ResumedSession = Static<typeof ResumedSession>;

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
  /** The patient's name (decrypted for the reader), null when there is no patient or they are not this clinic's. */
  patientName: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  target: Type.Union([Type.String(), Type.Null()]),
  outcome: Type.String(),
  requestId: Type.Union([Type.String(), Type.Null()]),
});
export type AuditEntry = Static<typeof AuditEntry>;

const auditFilter = {
  patientId: Type.Optional(Id),
  actorId: Type.Optional(Id),
  action: Type.Optional(Type.String({ maxLength: 64 })),
  from: Type.Optional(Timestamp),
  to: Type.Optional(Timestamp),
};

export const AuditQuery = Type.Object(
  { ...auditFilter, limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })), cursor: Type.Optional(PageCursor) },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof AuditQuery>;

/** One page of audit entries, newest first; `nextCursor` fetches the next (null on the last page). */
export const AuditPage = Type.Object({ entries: Type.Array(AuditEntry), nextCursor: Type.Union([Type.String(), Type.Null()]) });
export type AuditPage = Static<typeof AuditPage>;

/** The filter of a CSV export: every matching entry, newest first. */
export const AuditExportQuery = Type.Object(auditFilter, { additionalProperties: false });
export type AuditExportQuery = Static<typeof AuditExportQuery>;

/** The first broken link of a clinic's audit chain. */
export const AuditChainBreak = Type.Object({
  seq: Type.Integer(),
  rowId: Type.Union([Type.String(), Type.Null()]),
  reason: Type.Union([Type.Literal('hash_mismatch'), Type.Literal('gap'), Type.Literal('head_mismatch'), Type.Literal('unchained')]),
});
export type AuditChainBreak = Static<typeof AuditChainBreak>;

/** Whether the clinic's audit log is intact (its hash chain verifies), and how many entries were checked. */
export const AuditVerification = Type.Object({ intact: Type.Boolean(), entries: Type.Integer({ minimum: 0 }), broken: Type.Union([AuditChainBreak, Type.Null()]) });
export type AuditVerification = Static<typeof AuditVerification>;

export const MailItem = Type.Object({ id: Id, to: Type.String(), subject: Type.String(), text: Type.String(), createdAt: Timestamp });
export type MailItem = Static<typeof MailItem>;

export const IdParams = Type.Object({ id: Id });

/** Kinds of e-mail the server sends (none carries health information). */
export const MailKind = Type.Union([Type.Literal('new-message'), Type.Literal('sign-in-code'), Type.Literal('staff-digest'), Type.Literal('staff-invitation'), Type.Literal('staff-password-reset'),
  Type.Literal('questionnaire-assigned'), Type.Literal('questionnaire-reminder'), Type.Literal('questionnaire-flag'), Type.Literal('booking'), Type.Literal('booking-reminder'), Type.Literal('waitlist-offer')]);

/** One outgoing e-mail as the clinic's admins see it in the queue. */
export const OutgoingMail = Type.Object({
  id: Id,
  /** E-mail, or a text message (its kind is then one of the texts: booking-reminder, questionnaire-assigned). */
  channel: Type.Union([Type.Literal('email'), Type.Literal('sms')]),
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

/** Whether this server can send text messages, and through which provider. */
export const SmsStatus = Type.Object({ available: Type.Boolean(), provider: Type.Union([Type.String(), Type.Null()]) });
export type SmsStatus = Static<typeof SmsStatus>;
