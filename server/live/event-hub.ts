/**
 * Passes committed live events to this instance's open streams. Events are read from the database
 * (never trusted from a notification's payload), per clinic, in order, from where this instance last
 * read; a local commit, a PostgreSQL NOTIFY from another instance, or a short poll (another process
 * on the same SQLite file, a lost LISTEN connection) triggers the read.
 */
import type { Kysely } from 'kysely';
import type { Listen } from '../db/connect.js';
import type { Database } from '../db/schema.js';
import { CHANNEL } from '../domain/channels.js';
import { eventsAfter, lastEventSeq, type StoredEvent } from '../domain/events.js';

type Listener = (event: StoredEvent) => void;

interface ClinicFeed {
  listeners: Set<Listener>;
  /** The last event passed on. */
  cursor: number;
  /** Reads are chained so events go out once and in order. */
  reading: Promise<void>;
  /** A read is chained and has not started: it will see whatever commits before it starts. */
  queued: boolean;
}

/** One per server instance. */
export class EventHub {
  readonly #feeds = new Map<string, ClinicFeed>();
  #timer: NodeJS.Timeout | null = null;
  #unlisten: (() => Promise<void>) | null = null;
  #onError: (err: unknown) => void = () => undefined;

  constructor(
    readonly db: Kysely<Database>,
    private readonly opts: { listen?: Listen; pollMs?: number } = {},
  ) {}

  /** Starts listening (PostgreSQL) and polling; read errors go to `onError`. */
  async start(onError: (err: unknown) => void = () => undefined): Promise<void> {
    this.#onError = onError;
    this.#timer = setInterval(() => {
      for (const clinicId of this.#feeds.keys()) this.refresh(clinicId);
    }, this.opts.pollMs ?? 2000);
    this.#timer.unref();
    if (this.opts.listen) this.#unlisten = await this.opts.listen(CHANNEL.events, (clinicId) => this.refresh(clinicId));
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.#unlisten?.();
    await Promise.all([...this.#feeds.values()].map((f) => f.reading));
  }

  /**
   * Calls `listener` for each event of the clinic committed after this call returns (in order, once).
   * Returns the unsubscribe function and the number of the clinic's newest event at subscription.
   */
  async subscribe(clinicId: string, listener: Listener): Promise<{ unsubscribe: () => void; since: number }> {
    let feed = this.#feeds.get(clinicId);
    if (!feed) {
      const created: ClinicFeed = { listeners: new Set(), cursor: 0, reading: Promise.resolve(), queued: false };
      const first = lastEventSeq(this.db, clinicId).then((seq) => void (created.cursor = seq));
      // The chain itself never rejects (later reads run after it); the caller hears of a failure.
      created.reading = first.catch(() => undefined);
      this.#feeds.set(clinicId, created);
      try {
        await first;
      } catch (err) {
        if (this.#feeds.get(clinicId) === created && created.listeners.size === 0) this.#feeds.delete(clinicId);
        throw err;
      }
      feed = created;
    }
    await feed.reading;
    // Another caller's first read failed meanwhile and dropped this feed: start over.
    if (this.#feeds.get(clinicId) !== feed) return this.subscribe(clinicId, listener);
    feed.listeners.add(listener);
    const f = feed;
    return {
      since: f.cursor,
      unsubscribe: () => {
        f.listeners.delete(listener);
        if (f.listeners.size === 0 && this.#feeds.get(clinicId) === f) this.#feeds.delete(clinicId);
      },
    };
  }

  /** Reads and passes on the clinic's new events, if anyone here listens. */
  refresh(clinicId: string): void {
    const feed = this.#feeds.get(clinicId);
    // The actions of one group commit each ask; one read after them all serves every one.
    if (!feed || feed.queued) return;
    feed.queued = true;
    feed.reading = feed.reading.then(async () => {
      feed.queued = false;
      try {
        for (;;) {
          const batch = await eventsAfter(this.db, clinicId, feed.cursor);
          for (const e of batch) {
            feed.cursor = e.seq;
            for (const l of feed.listeners) l(e);
          }
          if (batch.length < 500) return;
        }
      } catch (err) {
        this.#onError(err);
      }
    });
  }
}
