/**
 * Messaging: the clinic's rules and the shapes of threads and messages on the wire. The server
 * validates with these schemas; the browser uses their types.
 */
import { Type, type Static } from 'typebox';
import { Id, NonBlankLine, OneLine, PageCursor, Timestamp } from './api.js';
import { WEEKDAYS } from './weekdays.js';

export { WEEKDAYS };

/** Client-generated ids (the outbox retries with the same one): a UUID. */
export const ClientId = Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' });
const Time = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'HH:MM, clinic time' });
const Text = (max: number) => Type.String({ maxLength: max });

export const MessagingMode = Type.Union([Type.Literal('two-way'), Type.Literal('reply-only'), Type.Literal('one-way')]);
export type MessagingMode = Static<typeof MessagingMode>;

/** A span of time on a weekday. */
export const TimeRange = Type.Object({ start: Time, end: Time }, { additionalProperties: false });

/** Monday..Sunday, each a list of ranges (empty: closed). */
export const WeeklySchedule = Type.Object(
  {
    mon: Type.Array(TimeRange, { maxItems: 6 }),
    tue: Type.Array(TimeRange, { maxItems: 6 }),
    wed: Type.Array(TimeRange, { maxItems: 6 }),
    thu: Type.Array(TimeRange, { maxItems: 6 }),
    fri: Type.Array(TimeRange, { maxItems: 6 }),
    sat: Type.Array(TimeRange, { maxItems: 6 }),
    sun: Type.Array(TimeRange, { maxItems: 6 }),
  },
  { additionalProperties: false },
);
export type WeeklySchedule = Static<typeof WeeklySchedule>;

const Bilingual = (max: number) => Type.Object({ en: Text(max), fr: Text(max) }, { additionalProperties: false });

export const Category = Type.Object({ id: Type.String({ pattern: '^[a-z0-9-]{1,40}$' }), en: NonBlankLine(80), fr: NonBlankLine(80) }, { additionalProperties: false });
export type Category = Static<typeof Category>;

/** The bounds of the clinic's numeric rules, shared by the schema, the server's checks and the admin form. */
export const SETTINGS_LIMITS = {
  maxChars: { min: 50, max: 20000 },
  maxWords: { min: 10, max: 5000 },
  attachmentMaxMb: { min: 1, max: 25 },
  weeklyThreadQuota: { min: 1, max: 50 },
  responseBusinessDays: { min: 1, max: 10 },
} as const;
/** How many ranges a day may have, categories a clinic, closures a calendar. */
export const MAX_RANGES_PER_DAY = 6;
export const MAX_CATEGORIES = 20;
export const MAX_CLOSURES = 100;

const Limited = (name: keyof typeof SETTINGS_LIMITS) => Type.Integer({ minimum: SETTINGS_LIMITS[name].min, maximum: SETTINGS_LIMITS[name].max });

/** Everything the clinic decides about messaging (admin → Messaging). */
export const MessagingSettings = Type.Object(
  {
    mode: MessagingMode,
    categories: Type.Array(Category, { minItems: 1, maxItems: MAX_CATEGORIES }),
    subjectRequired: Type.Boolean(),
    maxChars: Type.Union([Limited('maxChars'), Type.Null()]),
    maxWords: Type.Union([Limited('maxWords'), Type.Null()]),
    attachmentMaxMb: Limited('attachmentMaxMb'),
    weeklyThreadQuota: Type.Union([Limited('weeklyThreadQuota'), Type.Null()]),
    responseBusinessDays: Limited('responseBusinessDays'),
    timeZone: Type.String({ minLength: 3, maxLength: 64 }),
    hours: WeeklySchedule,
    closures: Type.Array(Type.String({ format: 'date' }), { maxItems: MAX_CLOSURES }),
    answeringBlocks: WeeklySchedule,
    acceptNewOutsideHours: Type.Boolean(),
    autoReply: Bilingual(1000),
    emergencyNotice: Bilingual(500),
    /** Hourly e-mail to the clinic's staff with the number of conversations waiting (no content). */
    staffDigestEmail: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type MessagingSettings = Static<typeof MessagingSettings>;

/** What the widget needs to show the clinic's expectations and enforce its rules (no secrets). */
export const MessagingRules = Type.Object({
  mode: MessagingMode,
  categories: Type.Array(Category),
  subjectRequired: Type.Boolean(),
  maxChars: Type.Union([Type.Integer(), Type.Null()]),
  maxWords: Type.Union([Type.Integer(), Type.Null()]),
  attachmentMaxMb: Type.Integer(),
  weeklyThreadQuota: Type.Union([Type.Integer(), Type.Null()]),
  responseBusinessDays: Type.Integer(),
  timeZone: Type.String(),
  hours: WeeklySchedule,
  acceptNewOutsideHours: Type.Boolean(),
  emergencyNotice: Bilingual(500),
  autoReply: Bilingual(1000),
  openNow: Type.Boolean(),
  /** When messages will next be read, if closed now. */
  nextOpening: Type.Union([Timestamp, Type.Null()]),
});
export type MessagingRules = Static<typeof MessagingRules>;

/**
 * The signed-in patient's own standing under the clinic's weekly limit, counted exactly as a new
 * conversation is checked (server/domain/threads.ts): null fields when the clinic sets no limit.
 */
export const PatientMessagingStatus = Type.Object({
  weeklyThreadQuota: Type.Union([Type.Integer(), Type.Null()]),
  /** New conversations the patient can still start in the current 7-day window. */
  weeklyThreadsLeft: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
  /** When the oldest conversation counted leaves the window (one more can then be started), if any is counted. */
  weeklyResetsAt: Type.Union([Timestamp, Type.Null()]),
});
export type PatientMessagingStatus = Static<typeof PatientMessagingStatus>;

export const ThreadStatus = Type.Union([Type.Literal('open'), Type.Literal('waiting'), Type.Literal('closed')]);
export type ThreadStatus = Static<typeof ThreadStatus>;

export const AttachmentInfo = Type.Object({ id: Id, fileName: Type.String(), mime: Type.String(), size: Type.Integer() });
export type AttachmentInfo = Static<typeof AttachmentInfo>;

export const Message = Type.Object({
  id: Type.String(),
  threadId: Id,
  author: Type.Union([Type.Literal('patient'), Type.Literal('staff'), Type.Literal('system')]),
  authorName: Type.String(),
  kind: Type.Union([Type.Literal('message'), Type.Literal('note')]),
  body: Type.String(),
  attachments: Type.Array(AttachmentInfo),
  createdAt: Timestamp,
  /** Staff view only: when the patient first opened the conversation after this reply (null: not yet). */
  seenAt: Type.Optional(Type.Union([Timestamp, Type.Null()])),
});
export type Message = Static<typeof Message>;

export const ThreadSummary = Type.Object({
  id: Id,
  subject: Type.String(),
  category: Type.String(),
  status: ThreadStatus,
  patientMayReply: Type.Boolean(),
  startedBy: Type.Union([Type.Literal('patient'), Type.Literal('staff')]),
  unread: Type.Integer(),
  lastMessageAt: Timestamp,
  createdAt: Timestamp,
});
export type ThreadSummary = Static<typeof ThreadSummary>;

/** The beginning of a thread's newest message, for the inbox row. */
export const InboxPreview = Type.Object({
  author: Type.Union([Type.Literal('patient'), Type.Literal('staff')]),
  kind: Type.Union([Type.Literal('message'), Type.Literal('note')]),
  text: Type.String(),
});
export type InboxPreview = Static<typeof InboxPreview>;

/** The staff view of a thread in the inbox (`unread`: patient messages the signed-in person has not read). */
export const InboxThread = Type.Intersect([
  ThreadSummary,
  Type.Object({
    patientId: Id,
    patientName: Type.String(),
    assignedTo: Type.Union([Id, Type.Null()]),
    awaitingReplySince: Type.Union([Timestamp, Type.Null()]),
    /** When the promised response time runs out, if a patient message awaits a reply. */
    dueAt: Type.Union([Timestamp, Type.Null()]),
    /** The start of the newest message or note (inbox rows only; decrypted for the page, never stored in clear). */
    preview: Type.Optional(Type.Union([InboxPreview, Type.Null()])),
    /**
     * When the patient last sent a message past the emergency notice ("It is not an emergency: send"),
     * or null: staff see a flag. Always sent by the server; optional so older clients' fixtures still type.
     */
    emergencyOverrideAt: Type.Optional(Type.Union([Timestamp, Type.Null()])),
  }),
]);
export type InboxThread = Static<typeof InboxThread>;

/** How many messages a conversation shows first (its newest), and each "earlier messages" page by default. */
export const MESSAGE_PAGE = 50;

/** Where the earlier messages of a conversation continue (`…/messages?before=`); null when none are left. */
const EarlierCursor = Type.Union([Type.String(), Type.Null()]);

/** A conversation with its newest messages (oldest of them first); `earlierCursor` fetches the ones before. */
export const ThreadDetail = Type.Object({ thread: ThreadSummary, messages: Type.Array(Message), earlierCursor: EarlierCursor });
export type ThreadDetail = Static<typeof ThreadDetail>;

/** Another conversation of the same patient, as a link on the conversation page. */
export const RelatedThread = Type.Object({ id: Id, subject: Type.String(), status: ThreadStatus, lastMessageAt: Timestamp });
export type RelatedThread = Static<typeof RelatedThread>;

export const StaffThreadDetail = Type.Object({
  thread: InboxThread,
  /** The newest messages and notes, oldest of them first. */
  messages: Type.Array(Message),
  earlierCursor: EarlierCursor,
  /** The neighbours in the inbox's default order (newest activity first): the newer one and the older one. */
  previousId: Type.Union([Id, Type.Null()]),
  nextId: Type.Union([Id, Type.Null()]),
  /** The patient's other conversations, newest activity first. */
  otherThreads: Type.Array(RelatedThread),
});
export type StaffThreadDetail = Static<typeof StaffThreadDetail>;

/** Which messages of a conversation: those before `before` (an `earlierCursor`), newest `limit` of them; the newest page without it. */
export const MessagePageQuery = Type.Object(
  { before: Type.Optional(PageCursor), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: MESSAGE_PAGE })) },
  { additionalProperties: false },
);
export type MessagePageQuery = Static<typeof MessagePageQuery>;

/** One page of a conversation's messages, oldest of them first; `earlierCursor` continues further back (null: the first message is here). */
export const MessagePage = Type.Object({ messages: Type.Array(Message), earlierCursor: EarlierCursor });
export type MessagePage = Static<typeof MessagePage>;

const Body = Type.String({ minLength: 1, maxLength: 100000 });
const AttachmentIds = Type.Array(Id, { maxItems: 10, uniqueItems: true });

/** The patient saw the emergency notice for this text and chose "It is not an emergency: send" (staff see a flag). */
const EmergencyOverride = Type.Optional(Type.Boolean());

/**
 * A patient's new thread; `id` is the first message's client id (retries send the same). `category`
 * is one of the clinic's categories (the patient chooses it; empty only when the clinic has none).
 */
export const NewPatientThread = Type.Object(
  { id: ClientId, subject: Type.Optional(OneLine(200)), category: Type.String({ maxLength: 40 }), body: Body, attachmentIds: Type.Optional(AttachmentIds), emergencyOverride: EmergencyOverride },
  { additionalProperties: false },
);
export type NewPatientThread = Static<typeof NewPatientThread>;

/** A patient's reply. */
export const NewPatientReply = Type.Object({ id: ClientId, body: Body, attachmentIds: Type.Optional(AttachmentIds), emergencyOverride: EmergencyOverride }, { additionalProperties: false });
export type NewPatientReply = Static<typeof NewPatientReply>;

/** A staff reply, or an internal note (`note: true`, never shown to the patient). */
export const NewReply = Type.Object({ id: ClientId, body: Body, attachmentIds: Type.Optional(AttachmentIds), note: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
export type NewReply = Static<typeof NewReply>;

/** A thread the clinic starts with a patient. */
export const NewStaffThread = Type.Object(
  { id: ClientId, patientId: Id, subject: NonBlankLine(200), category: Type.String({ maxLength: 40 }), body: Body, attachmentIds: Type.Optional(AttachmentIds), patientMayReply: Type.Boolean() },
  { additionalProperties: false },
);
export type NewStaffThread = Static<typeof NewStaffThread>;

export const ThreadPatch = Type.Object(
  {
    status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('closed')])),
    assignedTo: Type.Optional(Type.Union([Id, Type.Null()])),
    /** One of the clinic's category ids. */
    category: Type.Optional(Type.String({ maxLength: 40 })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type ThreadPatch = Static<typeof ThreadPatch>;

/** Newest activity first (default), or the answer due soonest first (then the rest, newest first). */
export const InboxSort = Type.Union([Type.Literal('activity'), Type.Literal('due')]);
export type InboxSort = Static<typeof InboxSort>;

/** One change to many threads at once (the inbox's bulk actions). */
export const BulkThreadPatch = Type.Object(
  {
    ids: Type.Array(Id, { minItems: 1, maxItems: 500, uniqueItems: true }),
    status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('closed')])),
    assignedTo: Type.Optional(Type.Union([Id, Type.Null()])),
  },
  { additionalProperties: false, minProperties: 2 },
);
export type BulkThreadPatch = Static<typeof BulkThreadPatch>;

export const InboxFilter = Type.Object(
  {
    status: Type.Optional(ThreadStatus),
    sort: Type.Optional(InboxSort),
    /** Words that must all appear in the thread's messages or notes (whole words, accents and case ignored). */
    q: Type.Optional(Type.String({ maxLength: 200 })),
    unread: Type.Optional(Type.Boolean()),
    mine: Type.Optional(Type.Boolean()),
    overdue: Type.Optional(Type.Boolean()),
    category: Type.Optional(Type.String({ maxLength: 40 })),
    patient: Type.Optional(Type.String({ maxLength: 120 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
    /** Where the previous page ended (its `nextCursor`). */
    cursor: Type.Optional(Type.String({ maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' })),
  },
  { additionalProperties: false },
);
export type InboxFilter = Static<typeof InboxFilter>;

/**
 * One page of the inbox; `nextCursor` fetches the next (null on the last page). `unreadTotal`: the
 * clinic's threads with messages the signed-in person has not read, whatever the filter.
 */
export const InboxPage = Type.Object({ threads: Type.Array(InboxThread), nextCursor: Type.Union([Type.String(), Type.Null()]), unreadTotal: Type.Integer() });
export type InboxPage = Static<typeof InboxPage>;

/** A reply template: English `body`, French `bodyFr` (null for templates written before both were asked). */
export const CannedReply = Type.Object({ id: Id, title: Type.String({ minLength: 1, maxLength: 120 }), body: Type.String({ minLength: 1, maxLength: 5000 }), bodyFr: Type.Union([Type.String(), Type.Null()]) });
export type CannedReply = Static<typeof CannedReply>;
export const NewCannedReply = Type.Object(
  { title: NonBlankLine(120), body: Type.String({ minLength: 1, maxLength: 5000 }), bodyFr: Type.Optional(Type.String({ minLength: 1, maxLength: 5000 })) },
  { additionalProperties: false },
);
export type NewCannedReply = Static<typeof NewCannedReply>;

/** The placeholders a template may use; each is filled in when staff insert the template. */
export const TEMPLATE_PLACEHOLDERS = ['patient.firstName', 'patient.lastName', 'clinic.name', 'staff.name'] as const;
export type TemplatePlaceholder = (typeof TEMPLATE_PLACEHOLDERS)[number];

const PLACEHOLDER = /\{([^{}\s]{1,60})\}/g;

/** The `{names}` in a template text that are not placeholders we fill (empty when all are known). */
export function unknownPlaceholders(text: string): string[] {
  const known: readonly string[] = TEMPLATE_PLACEHOLDERS;
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!).filter((name) => !known.includes(name)))];
}

/** The template text with its placeholders filled in. */
export function fillTemplate(text: string, values: Record<TemplatePlaceholder, string>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => (name in values ? values[name as TemplatePlaceholder] : whole));
}

/** A person's single "name" field split for the placeholders: the first word, and the rest. */
export function splitName(name: string): { firstName: string; lastName: string } {
  const words = name.trim().split(/\s+/);
  return { firstName: words[0] ?? '', lastName: words.slice(1).join(' ') };
}
