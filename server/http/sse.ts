/**
 * Server-Sent Events: a long-lived response that passes on the live events its caller may see, each
 * with an `id:`. A client that reconnects with Last-Event-ID first gets what it missed (from the
 * events table), then live ones. A stream closes when its session ends (sign-out, disabled account,
 * expiry), and one session may hold only a few streams.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../domain/errors.js';
import { eventsAfter, eventsPrunedThrough, type StoredEvent, type ThreadEvent } from '../domain/events.js';
import type { EventHub } from '../live/event-hub.js';

const KEEPALIVE_MS = 25_000;
/** How often an open stream re-checks that its session is still live (expiry, idle timeout). */
const SESSION_CHECK_MS = 30_000;
/** Open streams one session may hold on one instance (a few tabs; not hundreds). */
export const MAX_STREAMS_PER_SESSION = 5;

/** Counts open streams per session on this instance. */
export class StreamRegistry {
  readonly #open = new Map<string, number>();

  /** Takes a slot for the session, or throws 429. Returns the release function. */
  take(sessionId: string): () => void {
    const n = this.#open.get(sessionId) ?? 0;
    if (n >= MAX_STREAMS_PER_SESSION) throw new AppError(429, 'too_many_streams', `At most ${MAX_STREAMS_PER_SESSION} live connections per session; close another tab or window`, { params: { max: MAX_STREAMS_PER_SESSION } });
    this.#open.set(sessionId, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#open.get(sessionId) ?? 1) - 1;
      if (left <= 0) this.#open.delete(sessionId);
      else this.#open.set(sessionId, left);
    };
  }
}

/** What a stream needs to know about its caller. */
export interface StreamCaller {
  clinicId: string;
  sessionId: string;
  subject: { kind: 'staff' | 'patient'; id: string };
  /** Which thread events this caller sees. */
  visible: (e: ThreadEvent) => boolean;
  /** Re-checks the session (and the account); false ends the stream. */
  stillValid: () => Promise<boolean>;
}

/** The numeric Last-Event-ID of a reconnect, or null. */
function lastEventId(request: FastifyRequest): number | null {
  const raw = request.headers['last-event-id'];
  return typeof raw === 'string' && /^\d{1,15}$/.test(raw) ? Number(raw) : null;
}

/** Takes over the response and streams the caller's events until the client leaves or the session ends. */
export async function streamEvents(request: FastifyRequest, reply: FastifyReply, hub: EventHub, registry: StreamRegistry, caller: StreamCaller): Promise<void> {
  const release = registry.take(caller.sessionId);
  const resumeFrom = lastEventId(request);
  const held: StoredEvent[] = [];
  let replaying = true;
  let last = resumeFrom ?? 0;
  let closed = false;
  const res = reply.raw;

  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(keepalive);
    clearInterval(check);
    sub?.unsubscribe();
    release();
    res.end();
  };
  const send = (e: StoredEvent) => {
    if (closed || e.seq <= last) return;
    last = e.seq;
    if (e.type === 'session-ended') {
      if (e.subjectKind === caller.subject.kind && e.subjectId === caller.subject.id) void caller.stillValid().then((ok) => ok || close(), () => undefined);
      return;
    }
    if (e.type === 'questionnaire') {
      // Staff only: a patient is never told about the clinic's review of their answers.
      if (caller.subject.kind === 'staff') res.write(`id: ${e.seq}\nevent: questionnaire\ndata: ${JSON.stringify({ assignmentId: e.assignmentId, kind: e.kind })}\n\n`);
      return;
    }
    if (caller.visible(e)) res.write(`id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify({ threadId: e.threadId, author: e.author, kind: e.kind })}\n\n`);
  };

  let sub: Awaited<ReturnType<EventHub['subscribe']>> | null = null;
  try {
    sub = await hub.subscribe(caller.clinicId, (e) => (replaying ? held.push(e) : send(e)));
  } catch (err) {
    release();
    throw err;
  }
  reply.hijack();
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-content-type-options': 'nosniff',
    'x-accel-buffering': 'no', // proxies must not hold events back
  });
  res.write('retry: 3000\n: connected\n\n');
  const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
  const check = setInterval(() => void caller.stillValid().then((ok) => ok || close(), () => undefined), SESSION_CHECK_MS);
  request.raw.on('close', close);
  // A client that left while we were setting up has already fired 'close'.
  if (request.raw.destroyed || res.destroyed) close();

  try {
    if (resumeFrom !== null) {
      // Older than what is kept: the client must reload what it shows.
      if (resumeFrom < (await eventsPrunedThrough(hub.db))) res.write('event: resync\ndata: {}\n\n');
      for (let page = await eventsAfter(hub.db, caller.clinicId, resumeFrom); page.length > 0 && !closed; page = await eventsAfter(hub.db, caller.clinicId, last)) {
        for (const e of page) if (e.seq <= sub.since) send(e);
        if (page[page.length - 1]!.seq >= sub.since) break;
      }
    }
  } catch (err) {
    // Without the replay the client would skip the gap: end the stream, so it reconnects from the same id.
    request.log.warn({ err: { code: String((err as { code?: unknown })?.code ?? 'Error') } }, 'live events could not be replayed');
    close();
    return;
  }
  last = Math.max(last, sub.since);
  replaying = false;
  for (const e of held.splice(0)) send(e);
}
