/**
 * The outbox: what a person wrote, queued on the device until the server has it. Items are sealed
 * in the vault, sent oldest first with their client id (the server stores each id once, so a retry
 * after a dropped connection is harmless), on start, on the `online` event, on a Background Sync
 * wake-up where the browser has it, and with backoff otherwise. One tab sends at a time (Web Locks).
 * An item the server refuses stays, with the refusal's code and parameters (worded in the reader's
 * language when shown), until the person discards it.
 */
import type { ErrorParams } from '../api.js';
import { ApiError } from '../fetch-json.js';
import type { OutboxRow } from './device-records.js';
import type { DeviceVault } from './device-vault.js';

/** A queued item as the interface shows it; `payload` is null while the vault is locked (offline after a reload). */
export interface OutboxItem<P> {
  seq: number;
  clientId: string;
  kind: string;
  target: string | null;
  status: 'waiting' | 'refused';
  /** The server's English sentence (for the record); show `code` and `params` worded instead. */
  reason: string | null;
  /** Why the server refused it: a stable code, null while waiting (or on a row refused before codes were kept). */
  code: string | null;
  params: ErrorParams | null;
  createdAt: number;
  payload: P | null;
}

/** Sends one item to the server; throws ApiError as fetchJson does. */
export type Deliver<P> = (item: { clientId: string; kind: string; target: string | null; payload: P }) => Promise<void>;

const MAX_DELAY_MS = 5 * 60_000;

/**
 * Whether the server answered "no" for good (a closed conversation, a limit, a weekly quota), as
 * opposed to "not now" (no answer, a server error, a timeout, request rate limiting).
 */
function refused(err: unknown): err is ApiError {
  if (!(err instanceof ApiError) || err.status < 400 || err.status >= 500) return false;
  return err.status !== 401 && err.status !== 408 && err.code !== 'rate_limited';
}

/**
 * Events: `change` (items added, sent, refused or discarded), `delivered` (detail: the client ids a round sent),
 * `session-ended` (the server no longer knows the session: the caller wipes the vault).
 */
export class Outbox<P> extends EventTarget {
  #timer: ReturnType<typeof setTimeout> | null = null;
  #attempt = 0;
  #running: Promise<void> | null = null;
  #stopped = false;
  /** Payloads already decrypted, by client id: listing the queue must not unwrap every key each time. */
  readonly #opened = new Map<string, P>();
  readonly #onOnline = () => {
    this.#attempt = 0;
    this.flushSoon(0);
  };

  constructor(
    readonly vault: DeviceVault,
    readonly deliver: Deliver<P>,
    /** Names the Web Lock, so tabs of the same person and clinic take turns. */
    readonly lockName: string,
    /**
     * The kinds this outbox sends and lists (null: all). Two views keep their items in one device
     * database (messages, questionnaires), each sending and showing only its own.
     */
    readonly kinds: readonly string[] | null = null,
  ) {
    super();
  }

  /** Starts sending: now, whenever the browser comes back online, and when woken by the service worker. */
  start(): void {
    this.#stopped = false;
    globalThis.addEventListener?.('online', this.#onOnline);
    this.flushSoon(0);
  }

  /** Stops sending by itself (timers, `online`); an explicit flush() still sends. */
  stop(): void {
    this.#stopped = true;
    this.#opened.clear();
    globalThis.removeEventListener?.('online', this.#onOnline);
    if (this.#timer) clearTimeout(this.#timer);
  }

  /** Queues an item (sealed) and tries to send it. Returns its client id. */
  async add(kind: string, target: string | null, payload: P, clientId: string = crypto.randomUUID()): Promise<string> {
    await this.vault.store.addOutbox({ clientId, kind, target, status: 'waiting', reason: null, attempts: 0, createdAt: Date.now(), sealed: await this.vault.seal(payload) });
    this.#changed();
    void requestBackgroundSync();
    if (globalThis.navigator?.onLine !== false) this.flushSoon(0); // offline: the `online` event will
    return clientId;
  }

  /** Everything queued, oldest first, readable when the vault is unlocked. */
  async items(): Promise<Array<OutboxItem<P>>> {
    const rows = (await this.vault.store.outbox()).filter((r) => this.#mine(r));
    return Promise.all(
      rows.map(async (r) => ({
        seq: r.seq!,
        clientId: r.clientId,
        kind: r.kind,
        target: r.target,
        status: r.status,
        reason: r.reason,
        code: r.code ?? null,
        params: r.params ?? null,
        createdAt: r.createdAt,
        payload: await this.#open(r).catch(() => null),
      })),
    );
  }

  /** Removes an item the person gave up on (typically a refused one). */
  async discard(seq: number): Promise<void> {
    await this.vault.store.deleteOutbox(seq);
    this.#changed();
  }

  #mine(row: OutboxRow): boolean {
    return this.kinds === null || this.kinds.includes(row.kind);
  }

  async #open(row: OutboxRow): Promise<P | null> {
    if (!this.vault.canRead) return null;
    let payload = this.#opened.get(row.clientId);
    if (payload === undefined) {
      payload = await this.vault.open<P>(row.sealed);
      this.#opened.set(row.clientId, payload);
    }
    return payload;
  }

  /** Schedules a flush after `delayMs` (replacing any scheduled one). */
  flushSoon(delayMs: number): void {
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.flush(), delayMs);
  }

  /** Sends what waits, oldest first; resolves when this round is over. Concurrent calls share a round. */
  flush(): Promise<void> {
    this.#running ??= withLock(this.lockName, () => this.#flushRound()).finally(() => (this.#running = null));
    return this.#running;
  }

  /** One round; its events fire once at the end, so a flush of many items redraws a page once. */
  async #flushRound(): Promise<void> {
    const delivered: string[] = [];
    let refusals = 0;
    try {
      await this.#sendWaiting(delivered, () => refusals++);
    } finally {
      if (delivered.length) this.dispatchEvent(new CustomEvent('delivered', { detail: delivered }));
      if (delivered.length || refusals) this.#changed();
    }
  }

  async #sendWaiting(delivered: string[], onRefused: () => void): Promise<void> {
    if (!this.vault.canRead) return; // locked (offline since load): the next unlock or `online` retries
    for (const row of await this.vault.store.outbox()) {
      if (row.status !== 'waiting' || !this.#mine(row)) continue;
      try {
        await this.deliver({ clientId: row.clientId, kind: row.kind, target: row.target, payload: (await this.#open(row))! });
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) {
          this.dispatchEvent(new Event('session-ended'));
          return;
        }
        if (refused(err)) {
          await this.vault.store.updateOutbox(row.seq!, { status: 'refused', reason: err.message, code: err.code, params: err.params ?? null });
          onRefused();
          continue;
        }
        // Not now (offline, server busy): keep the order, try again later.
        await this.vault.store.updateOutbox(row.seq!, { attempts: row.attempts + 1 });
        this.#retryLater();
        return;
      }
      await this.vault.store.deleteOutbox(row.seq!);
      this.#opened.delete(row.clientId);
      this.#attempt = 0;
      delivered.push(row.clientId);
    }
  }

  #retryLater(): void {
    this.#attempt += 1;
    const base = Math.min(1000 * 2 ** this.#attempt, MAX_DELAY_MS);
    this.flushSoon(base / 2 + Math.random() * (base / 2));
  }

  #changed(): void {
    this.dispatchEvent(new Event('change'));
  }
}

/**
 * Runs `task` holding a cross-tab lock when the browser has Web Locks; otherwise (no API, or denied
 * in a frame whose storage is blocked, where there is no shared queue anyway) just runs it.
 */
async function withLock(name: string, task: () => Promise<void>): Promise<void> {
  let ran = false;
  const run = () => ((ran = true), task());
  try {
    const locks = globalThis.navigator?.locks;
    if (locks) return void (await locks.request(name, run));
  } catch (err) {
    if (ran) throw err;
  }
  await run();
}

/** Asks the service worker to wake the page when connectivity returns (Chromium); a no-op elsewhere. */
async function requestBackgroundSync(): Promise<void> {
  try {
    const registration = await navigator.serviceWorker?.getRegistration();
    await (registration as (ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } }) | undefined)?.sync?.register('sm-outbox');
  } catch {
    // Not supported or not permitted: the online event and backoff still deliver.
  }
}

export type { OutboxRow };
