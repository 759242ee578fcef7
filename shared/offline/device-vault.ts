/**
 * The device's vault for one signed-in person: sealed records plus the session's keys. The public key
 * is remembered on the device so writing works offline; the private key comes from the server on
 * each load and lives in memory only. A new session (different key id) wipes what an ended one left.
 */
import type { DeviceKeys } from '../api.js';
import { memoryRecords, type DeviceRecords } from './device-records.js';

// Dexie is loaded with the first signed-in session, not with the page.
const openIndexedDbRecords = async (name: string, onVersionChange: (deleted: boolean) => void) => (await import('./indexeddb-records.js')).openIndexedDbRecords(name, onVersionChange);
const deleteDeviceDb = async (name: string) => (await import('./indexeddb-records.js')).deleteDeviceDb(name);
import { importPrivateKey, importPublicKey, open, seal, type SealedBox } from './sealed-box.js';

export interface VaultOptions {
  /** The IndexedDB database name, one per person-kind and clinic. */
  name: string;
  /** False on a shared computer: keep nothing beyond this page. */
  persist: boolean;
  /** Asks the server for this session's keys; rejects when offline or signed out. */
  fetchKeys: () => Promise<DeviceKeys>;
}

/**
 * Events: `storage-failed` (fell back to memory), `versionchange` (another tab upgraded the schema),
 * `deleted` (another tab or frame deleted the records: its person signed out, or the session ended).
 */
export class DeviceVault extends EventTarget {
  #records: DeviceRecords;
  #publicKey: CryptoKey | null = null;
  #privateKey: CryptoKey | null = null;
  /** Why storage is not available on this device, if it is not. */
  storageProblem: string | null = null;
  outdated = false;

  private constructor(
    records: DeviceRecords,
    readonly options: VaultOptions,
  ) {
    super();
    this.#records = records;
  }

  /** Opens the device records, in memory if the browser will not store them. */
  static async open(options: VaultOptions): Promise<DeviceVault> {
    if (!options.persist) return new DeviceVault(memoryRecords(), options);
    let onVersionChange = (_deleted: boolean) => {};
    try {
      const vault = new DeviceVault(await openIndexedDbRecords(options.name, (deleted) => onVersionChange(deleted)), options);
      onVersionChange = (deleted) => vault.#onVersionChange(deleted);
      return vault;
    } catch (err) {
      const vault = new DeviceVault(memoryRecords(), options);
      vault.storageProblem = (err as Error).name || 'unavailable';
      return vault;
    }
  }

  /** Deletes a person's device records without opening them (e.g. after the session ended elsewhere). */
  static async destroy(name: string): Promise<void> {
    // Most visitors have nothing stored: check before loading Dexie just to delete nothing.
    const existing = await Promise.resolve()
      .then(() => indexedDB.databases())
      .catch(() => null);
    if (existing && !existing.some((d) => d.name === name)) return;
    await deleteDeviceDb(name);
  }

  get records(): DeviceRecords {
    return this.#records;
  }
  get persistent(): boolean {
    return this.#records.persistent;
  }
  get canWrite(): boolean {
    return this.#publicKey !== null;
  }
  get canRead(): boolean {
    return this.#privateKey !== null;
  }

  /**
   * Gets the session's keys from the server. Offline, falls back to the remembered public key so new
   * items can still be sealed. Returns whether the private key (reading) is available.
   */
  unlock(): Promise<boolean> {
    const attempt = this.#unlock();
    // Sealing waits for a key request in flight rather than failing while it is out.
    this.#unlocking = attempt.catch(() => undefined);
    return attempt;
  }
  #unlocking: Promise<unknown> | null = null;

  async #unlock(): Promise<boolean> {
    let keys: DeviceKeys;
    try {
      keys = await this.options.fetchKeys();
    } catch (err) {
      const remembered = await this.#records.getMeta('publicKey').catch(() => undefined);
      if (remembered && !this.#publicKey) this.#publicKey = await importPublicKey(remembered);
      throw err;
    }
    // Left by an ended session: unreadable anyway, so deleted (once, whichever frame of the session gets here first).
    await this.store.claim(keys.keyId, keys.publicKey);
    this.#publicKey = await importPublicKey(keys.publicKey);
    this.#privateKey = await importPrivateKey(keys.privateKey);
    return true;
  }

  async seal(value: unknown): Promise<SealedBox> {
    await this.#unlocking;
    if (!this.#publicKey) throw new Error('vault locked');
    return seal(this.#publicKey, value);
  }

  async open<T>(box: SealedBox): Promise<T> {
    await this.#unlocking;
    if (!this.#privateKey) throw new Error('vault locked');
    return open<T>(this.#privateKey, box);
  }

  /**
   * Runs a storage operation; if the browser refuses (quota, blocked, closed by an upgrade), carries on
   * in memory and reports it, so the person keeps working online-only.
   */
  async #guard<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      if (!this.#records.persistent) throw err;
      this.storageProblem = (err as Error).name || 'failed';
      this.#records = memoryRecords();
      this.dispatchEvent(new Event('storage-failed'));
      return op();
    }
  }

  /** Storage operations for the outbox and drafts, each falling back to memory if storage fails. */
  readonly store: Omit<DeviceRecords, 'persistent'> = {
    addOutbox: (row) => this.#guard(() => this.#records.addOutbox(row)),
    outbox: () => this.#guard(() => this.#records.outbox()),
    updateOutbox: (seq, changes) => this.#guard(() => this.#records.updateOutbox(seq, changes)),
    deleteOutbox: (seq) => this.#guard(() => this.#records.deleteOutbox(seq)),
    getDraft: (key) => this.#guard(() => this.#records.getDraft(key)),
    putDraft: (row) => this.#guard(() => this.#records.putDraft(row)),
    deleteDraft: (key) => this.#guard(() => this.#records.deleteDraft(key)),
    getMeta: (key) => this.#guard(() => this.#records.getMeta(key)),
    putMeta: (key, value) => this.#guard(() => this.#records.putMeta(key, value)),
    clear: () => this.#guard(() => this.#records.clear()),
    claim: (keyId, publicKey) => this.#guard(() => this.#records.claim(keyId, publicKey)),
    wipe: () => this.wipe(),
  };

  /** Forgets the keys and deletes every record (sign-out, session ended). */
  async wipe(): Promise<void> {
    this.#publicKey = null;
    this.#privateKey = null;
    await this.#records.wipe().catch(() => undefined);
    // Fell back to memory after storage failed: the database it had opened may still be there.
    if (this.options.persist && !this.#records.persistent) await deleteDeviceDb(this.options.name);
  }

  #onVersionChange(deleted: boolean): void {
    if (deleted) {
      // Not a new version: nothing to reload for. The keys go; the page hears of the sign-out itself.
      this.#publicKey = null;
      this.#privateKey = null;
      this.#records = memoryRecords();
      this.dispatchEvent(new Event('deleted'));
      return;
    }
    this.outdated = true;
    this.dispatchEvent(new Event('versionchange'));
  }
}
