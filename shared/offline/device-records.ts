/**
 * Where a device keeps its outbox, drafts and key metadata: IndexedDB through Dexie, or memory when
 * the person said this is a shared computer or the browser refuses storage. Both keep only sealed
 * (encrypted) health information; memory simply forgets everything when the page closes.
 */
import Dexie, { type EntityTable } from 'dexie';
import type { SealedBox } from './sealed-box.js';

export interface OutboxRow {
  /** Queue order (auto-increment), shared by every tab. */
  seq?: number;
  /** Client-generated id the server deduplicates on: the same message is stored once. */
  clientId: string;
  kind: string;
  /** Opaque id of the conversation replied to, or null for a new one. */
  target: string | null;
  status: 'waiting' | 'refused';
  /** The server's sentence when it refused the message. */
  reason: string | null;
  attempts: number;
  createdAt: number;
  sealed: SealedBox;
}

export interface DraftRow {
  key: string;
  sealed: SealedBox;
  updatedAt: number;
}

interface MetaRow {
  key: string;
  value: string;
}

export interface DeviceRecords {
  readonly persistent: boolean;
  addOutbox(row: OutboxRow): Promise<number>;
  /** Every queued item, oldest first. */
  outbox(): Promise<OutboxRow[]>;
  updateOutbox(seq: number, changes: Partial<OutboxRow>): Promise<void>;
  deleteOutbox(seq: number): Promise<void>;
  getDraft(key: string): Promise<DraftRow | undefined>;
  putDraft(row: DraftRow): Promise<void>;
  deleteDraft(key: string): Promise<void>;
  getMeta(key: string): Promise<string | undefined>;
  putMeta(key: string, value: string): Promise<void>;
  /** Deletes everything (the whole database, for IndexedDB). */
  wipe(): Promise<void>;
}

export type DeviceDb = Dexie & {
  outbox: EntityTable<OutboxRow, 'seq'>;
  drafts: EntityTable<DraftRow, 'key'>;
  meta: EntityTable<MetaRow, 'key'>;
};

/**
 * The schema's history, oldest first. Never edit a shipped entry: add one (Dexie upgrades a device
 * through each version it has not seen yet).
 */
export const DEVICE_DB_VERSIONS: Array<(db: Dexie) => void> = [
  (db) => db.version(1).stores({ outbox: '++seq, &clientId', meta: 'key' }),
  // 2: drafts autosaved while typing; the outbox indexed by status to count what waits.
  (db) => db.version(2).stores({ outbox: '++seq, &clientId, status', drafts: 'key' }),
];

/** The device database at the latest version (or an older one, for upgrade tests). */
export function deviceDb(name: string, versions = DEVICE_DB_VERSIONS): DeviceDb {
  const db = new Dexie(name) as DeviceDb;
  for (const define of versions) define(db);
  return db;
}

/** Records in IndexedDB. `onVersionChange` runs when another tab needs a newer schema. */
export async function openIndexedDbRecords(name: string, onVersionChange: () => void): Promise<DeviceRecords> {
  const db = deviceDb(name);
  db.on('versionchange', () => {
    // Let the other tab upgrade; this one can no longer write and must reload.
    db.close();
    onVersionChange();
    return false;
  });
  await db.open();
  await db.meta.get('probe'); // private modes and blocked storage fail here rather than later
  return {
    persistent: true,
    addOutbox: (row) => db.outbox.add(row) as Promise<number>,
    outbox: () => db.outbox.orderBy('seq').toArray(),
    updateOutbox: async (seq, changes) => void (await db.outbox.update(seq, changes)),
    deleteOutbox: (seq) => db.outbox.delete(seq),
    getDraft: (key) => db.drafts.get(key),
    putDraft: async (row) => void (await db.drafts.put(row)),
    deleteDraft: (key) => db.drafts.delete(key),
    getMeta: async (key) => (await db.meta.get(key))?.value,
    putMeta: async (key, value) => void (await db.meta.put({ key, value })),
    wipe: async () => {
      db.close();
      await Dexie.delete(name);
    },
  };
}

/** Deletes a device database (never throws: there may be no storage at all). */
export async function deleteDeviceDb(name: string): Promise<void> {
  await Dexie.delete(name).catch(() => undefined);
}

/** Records in memory only (shared computer, or storage refused). */
export function memoryRecords(): DeviceRecords {
  const outbox = new Map<number, OutboxRow>();
  const drafts = new Map<string, DraftRow>();
  const meta = new Map<string, string>();
  let nextSeq = 1;
  return {
    persistent: false,
    addOutbox: async (row) => {
      const seq = nextSeq++;
      outbox.set(seq, { ...row, seq });
      return seq;
    },
    outbox: async () => [...outbox.values()],
    updateOutbox: async (seq, changes) => {
      const row = outbox.get(seq);
      if (row) outbox.set(seq, { ...row, ...changes });
    },
    deleteOutbox: async (seq) => void outbox.delete(seq),
    getDraft: async (key) => drafts.get(key),
    putDraft: async (row) => void drafts.set(row.key, row),
    deleteDraft: async (key) => void drafts.delete(key),
    getMeta: async (key) => meta.get(key),
    putMeta: async (key, value) => void meta.set(key, value),
    wipe: async () => {
      outbox.clear();
      drafts.clear();
      meta.clear();
    },
  };
}
