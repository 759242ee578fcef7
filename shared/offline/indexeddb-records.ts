/** The device records in IndexedDB (Dexie): the schema's history and the store over it. */
import Dexie, { type EntityTable } from 'dexie';
import type { DeviceRecords, DraftRow, MetaRow, OutboxRow } from './device-records.js';

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

/**
 * Records in IndexedDB. `onVersionChange` runs when another tab needs a newer schema (`deleted`
 * false) or deletes the database (`deleted` true: a sign-out elsewhere, not a new version).
 */
export async function openIndexedDbRecords(name: string, onVersionChange: (deleted: boolean) => void): Promise<DeviceRecords> {
  const db = deviceDb(name);
  db.on('versionchange', (event: IDBVersionChangeEvent) => {
    // Let the other tab upgrade or delete; this one can no longer write.
    db.close();
    onVersionChange(event.newVersion === null);
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
    clear: () => db.transaction('rw', db.outbox, db.drafts, db.meta, async () => void (await Promise.all([db.outbox.clear(), db.drafts.clear(), db.meta.clear()]))),
    claim: (keyId, publicKey) =>
      db.transaction('rw', db.outbox, db.drafts, db.meta, async () => {
        if ((await db.meta.get('keyId'))?.value === keyId) return;
        await Promise.all([db.outbox.clear(), db.drafts.clear(), db.meta.clear()]);
        await db.meta.bulkPut([{ key: 'keyId', value: keyId }, { key: 'publicKey', value: publicKey }]);
      }),
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

