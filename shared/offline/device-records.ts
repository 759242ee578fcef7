/**
 * Where a device keeps its outbox, drafts and key metadata: IndexedDB through Dexie
 * (indexeddb-records.ts, loaded only when needed), or memory when the person said this is a shared
 * computer or the browser refuses storage. Both keep only sealed (encrypted) health information;
 * memory simply forgets everything when the page closes.
 */
import type { ErrorParams } from '../api.js';
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
  /** The server's English sentence when it refused the message (for the record; never shown). */
  reason: string | null;
  /** The refusal's stable code and parameters, worded in the reader's language when shown (absent on rows from before). */
  code?: string | null;
  params?: ErrorParams | null;
  attempts: number;
  createdAt: number;
  sealed: SealedBox;
}

export interface DraftRow {
  key: string;
  sealed: SealedBox;
  updatedAt: number;
}

export interface MetaRow {
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
  /** Deletes every record, keeping the store open (a new session starts clean). */
  clear(): Promise<void>;
  /**
   * Makes the records the session's whose key is `keyId`: records left by another session are deleted
   * first. Read and cleared at once, so two frames starting the same session together clear once,
   * before either keeps anything (not after the first one saved a draft).
   */
  claim(keyId: string, publicKey: string): Promise<void>;
  /** Deletes everything (the whole database, for IndexedDB). */
  wipe(): Promise<void>;
}

/** Records in memory only (shared computer, or storage refused). */
export function memoryRecords(): DeviceRecords {
  const outbox = new Map<number, OutboxRow>();
  const drafts = new Map<string, DraftRow>();
  const meta = new Map<string, string>();
  let nextSeq = 1;
  async function clear() {
    outbox.clear();
    drafts.clear();
    meta.clear();
  }
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
    clear,
    claim: async (keyId, publicKey) => {
      if (meta.get('keyId') === keyId) return;
      await clear();
      meta.set('keyId', keyId);
      meta.set('publicKey', publicKey);
    },
    wipe: clear,
  };
}
