/**
 * What one signed-in person keeps on this device, in one place: the vault (keys + sealed records),
 * the outbox that sends their queued messages, and their drafts. The frame and the admin each hold
 * one while someone is signed in, and end it (wiping the device) at sign-out or when the session ends.
 */
import type { DeviceKeys } from '../api.js';
import { DeviceVault } from './device-vault.js';
import { Outbox, type Deliver } from './outbox.js';

export interface DeviceSessionOptions<P> {
  /** The device database name, e.g. `sm-patient-<clinic>` or `sm-staff`. */
  name: string;
  /** False on a shared computer: nothing outlives the page. */
  persist: boolean;
  fetchKeys: () => Promise<DeviceKeys>;
  deliver: Deliver<P>;
  /** The outbox item kinds this session sends and lists (default: all); see Outbox. */
  kinds?: readonly string[];
}

/**
 * Re-dispatches the vault's `storage-failed`, `versionchange` and `deleted` and the outbox's `change`,
 * `delivered` and `session-ended` events, so a page listens in one place.
 */
export class DeviceSession<P> extends EventTarget {
  readonly #onOnline = () => void this.unlock();

  private constructor(
    readonly vault: DeviceVault,
    readonly outbox: Outbox<P>,
  ) {
    super();
    for (const type of ['storage-failed', 'versionchange', 'deleted']) vault.addEventListener(type, (e) => this.dispatchEvent(new Event(e.type)));
    for (const type of ['change', 'session-ended']) outbox.addEventListener(type, (e) => this.dispatchEvent(new Event(e.type)));
    outbox.addEventListener('delivered', (e) => this.dispatchEvent(new CustomEvent('delivered', { detail: (e as CustomEvent<string[]>).detail })));
  }

  /**
   * Opens the device records and starts the outbox; the keys are requested meanwhile (sealing waits
   * for them), so the page can take a message at once.
   */
  static async start<P>(options: DeviceSessionOptions<P>): Promise<DeviceSession<P>> {
    const vault = await DeviceVault.open(options);
    const session = new DeviceSession(vault, new Outbox<P>(vault, options.deliver, `${options.name}:outbox`, options.kinds ?? null));
    void session.unlock();
    addEventListener('online', session.#onOnline);
    session.outbox.start();
    return session;
  }


  /**
   * Fetches the session's keys (on start and whenever the connection returns). Resolves false while
   * offline; a 401 means the session ended and is reported as `session-ended`.
   */
  async unlock(): Promise<boolean> {
    if (this.vault.canRead) return true;
    try {
      await this.vault.unlock();
    } catch (err) {
      if ((err as { status?: number }).status === 401) this.dispatchEvent(new Event('session-ended'));
      return false;
    }
    this.dispatchEvent(new Event('change'));
    this.outbox.flushSoon(0);
    return true;
  }

  /** Each key's latest draft write: a save still waiting for the keys is dropped once a newer save or a clear came. */
  readonly #draftWrites = new Map<string, number>();
  #nextDraftWrite(key: string): number {
    const n = (this.#draftWrites.get(key) ?? 0) + 1;
    this.#draftWrites.set(key, n);
    return n;
  }

  /**
   * Saves a draft (sealed); an empty text deletes it. Just after sign-in the keys are still on their
   * way: the save waits for them (typing then must not be lost). Skipped when nothing can be sealed
   * (offline before any key came), or when a newer save or a clear of the key came meanwhile.
   */
  async saveDraft(key: string, text: string): Promise<void> {
    const write = this.#nextDraftWrite(key);
    if (!text.trim()) return this.vault.store.deleteDraft(key);
    let sealed;
    try {
      sealed = await this.vault.seal(text);
    } catch (err) {
      if (!this.vault.canWrite) return;
      throw err;
    }
    if (this.#draftWrites.get(key) !== write) return;
    await this.vault.store.putDraft({ key, sealed, updatedAt: Date.now() });
  }

  /** The saved draft, if any and readable now. */
  async loadDraft(key: string): Promise<string | null> {
    const row = await this.vault.store.getDraft(key);
    if (!row) return null;
    return this.vault.open<string>(row.sealed).catch(() => null);
  }

  /** Deletes a draft (its message was sent); a save still waiting for the keys will not bring it back. */
  clearDraft(key: string): Promise<void> {
    this.#nextDraftWrite(key);
    return this.vault.store.deleteDraft(key);
  }

  /** Stops sending and deletes everything this person kept on the device. */
  async end(): Promise<void> {
    removeEventListener('online', this.#onOnline);
    this.outbox.stop();
    await this.vault.wipe();
  }
}
