/** The on-device store: Dexie schema upgrades, a second tab's upgrade, sealing, wiping, storage refused. */
import { expect, fixture, html } from '@open-wc/testing';
import Dexie from 'dexie';
import type { DeviceKeys } from '../../shared/api.js';
import { DEVICE_DB_VERSIONS, deviceDb, openIndexedDbRecords } from '../../shared/offline/indexeddb-records.js';
import { ApiError } from '../../shared/fetch-json.js';
import { DeviceVault } from '../../shared/offline/device-vault.js';
import { Outbox } from '../../shared/offline/outbox.js';
import '../../shared/offline/sm-app-status.js';
import type { SmAppStatus } from '../../shared/offline/sm-app-status.js';

const toBase64 = (buf: ArrayBuffer) => btoa(String.fromCharCode(...new Uint8Array(buf)));

/** A key pair as the server hands it out (base64 SPKI / PKCS#8). */
async function newDeviceKeys(): Promise<DeviceKeys> {
  const pair = await crypto.subtle.generateKey({ name: 'RSA-OAEP', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['wrapKey', 'unwrapKey']);
  return {
    keyId: crypto.randomUUID(),
    publicKey: toBase64(await crypto.subtle.exportKey('spki', pair.publicKey)),
    privateKey: toBase64(await crypto.subtle.exportKey('pkcs8', pair.privateKey)),
  };
}

/** Every stored value of a database, buffers decoded as text, to look for plaintext. */
async function rawText(name: string): Promise<string> {
  const db = await new Dexie(name).open();
  const parts: string[] = [];
  const dump = (v: unknown): unknown =>
    v instanceof ArrayBuffer || ArrayBuffer.isView(v) ? new TextDecoder('latin1').decode(v as ArrayBuffer) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, dump(x)])) : v;
  for (const table of db.tables) parts.push(JSON.stringify((await table.toArray()).map(dump)));
  db.close();
  return parts.join('\n');
}

const dbNames = async () => (await indexedDB.databases()).map((d) => d.name);
const uniqueName = () => `sm-test-${crypto.randomUUID()}`;

describe('device database schema', () => {
  it('upgrades a version-1 database to the latest without losing queued items', async () => {
    const name = uniqueName();
    const v1 = deviceDb(name, DEVICE_DB_VERSIONS.slice(0, 1));
    await v1.open();
    await v1.table('outbox').add({ clientId: 'a', kind: 'reply', target: 't1', status: 'waiting', reason: null, attempts: 0, createdAt: 1, sealed: { iv: new Uint8Array(12), key: new ArrayBuffer(8), data: new ArrayBuffer(8) } });
    await v1.table('outbox').add({ clientId: 'b', kind: 'reply', target: 't1', status: 'refused', reason: 'closed', attempts: 1, createdAt: 2, sealed: { iv: new Uint8Array(12), key: new ArrayBuffer(8), data: new ArrayBuffer(8) } });
    expect(v1.verno).to.equal(1);
    v1.close();

    const latest = deviceDb(name);
    await latest.open();
    expect(latest.verno).to.equal(DEVICE_DB_VERSIONS.length);
    expect((await latest.outbox.orderBy('seq').toArray()).map((r) => r.clientId)).to.deep.equal(['a', 'b']);
    expect(await latest.outbox.where('status').equals('waiting').count()).to.equal(1, 'the new index covers old rows');
    await latest.drafts.put({ key: 'new', sealed: { iv: new Uint8Array(12), key: new ArrayBuffer(8), data: new ArrayBuffer(8) }, updatedAt: 3 });
    expect(await latest.drafts.count()).to.equal(1);
    latest.close();
    await Dexie.delete(name);
  });

  it('lets a newer tab upgrade: the open tab closes its connection and is told to reload', async () => {
    const name = uniqueName();
    let told = 0;
    const records = await openIndexedDbRecords(name, (deleted) => (expect(deleted).to.equal(false), told++));
    await records.putMeta('keyId', 'k1');

    // Another tab, running a newer build with one more schema version.
    const newer = deviceDb(name, [...DEVICE_DB_VERSIONS, (db) => db.version(DEVICE_DB_VERSIONS.length + 1).stores({ extra: 'key' })]);
    await newer.open(); // resolves only because the old tab let go (otherwise: blocked)
    expect(told).to.equal(1);
    expect((await newer.table('meta').get('keyId')).value).to.equal('k1');
    newer.close();
    await Dexie.delete(name);
  });
});

describe('DeviceVault', () => {
  it('reports a database another frame deleted (its sign-out) as deleted, not as a new version to reload for', async () => {
    const name = uniqueName();
    const keys = await newDeviceKeys();
    const vault = await DeviceVault.open({ name, persist: true, fetchKeys: async () => keys });
    await vault.unlock();
    const events: string[] = [];
    for (const type of ['deleted', 'versionchange']) vault.addEventListener(type, () => events.push(type));
    await Dexie.delete(name); // resolves only because the open vault let go
    expect(events).to.deep.equal(['deleted']);
    expect(vault.outdated).to.equal(false);
    expect(vault.canRead).to.equal(false, 'the keys went with the records');
  });

  it('keeps only ciphertext on the device, reads it back with the session key, and wipes it', async () => {
    const name = uniqueName();
    const keys = await newDeviceKeys();
    const vault = await DeviceVault.open({ name, persist: true, fetchKeys: async () => keys });
    expect(vault.persistent).to.equal(true);
    expect(await vault.unlock()).to.equal(true);
    await vault.store.putDraft({ key: 'new', sealed: await vault.seal('My rash is spreading'), updatedAt: 1 });
    expect(await rawText(name)).not.to.contain('rash');
    expect(await vault.open((await vault.store.getDraft('new'))!.sealed)).to.equal('My rash is spreading');

    await vault.wipe();
    expect(await dbNames()).not.to.include(name);
  });

  it('writes offline with the remembered public key but cannot read until the server releases the private key', async () => {
    const name = uniqueName();
    const keys = await newDeviceKeys();
    const first = await DeviceVault.open({ name, persist: true, fetchKeys: async () => keys });
    await first.unlock();
    await first.store.putDraft({ key: 'a', sealed: await first.seal('before reload'), updatedAt: 1 });

    // After a reload with no network:
    const offline = await DeviceVault.open({ name, persist: true, fetchKeys: () => Promise.reject(Object.assign(new Error('offline'), { status: 0 })) });
    await offline.unlock().catch(() => undefined);
    expect(offline.canWrite).to.equal(true);
    expect(offline.canRead).to.equal(false);
    const sealed = await offline.seal('written offline');
    const opened = await offline.open(sealed).then(() => 'opened', () => 'refused');
    expect(opened).to.equal('refused');
    await first.wipe();
  });

  it("deletes what an ended session left when a new session's key arrives", async () => {
    const name = uniqueName();
    const old = await DeviceVault.open({ name, persist: true, fetchKeys: newDeviceKeys });
    await old.unlock();
    await old.store.putDraft({ key: 'a', sealed: await old.seal('old session text'), updatedAt: 1 });

    const next = await DeviceVault.open({ name, persist: true, fetchKeys: newDeviceKeys });
    await next.unlock();
    expect(await next.store.getDraft('a')).to.equal(undefined);
    await next.wipe();
  });

  it('two frames of one session starting together: the later one keeps what the first already saved', async () => {
    const name = uniqueName();
    const keys = await newDeviceKeys();
    const messages = await DeviceVault.open({ name, persist: true, fetchKeys: async () => keys });
    const questionnaire = await DeviceVault.open({ name, persist: true, fetchKeys: async () => keys });
    const both = Promise.all([messages.unlock(), questionnaire.unlock()]);
    await messages.unlock();
    await messages.store.putDraft({ key: 'new', sealed: await messages.seal('typed at once'), updatedAt: 1 });
    await both;
    expect(await questionnaire.open((await questionnaire.store.getDraft('new'))!.sealed)).to.equal('typed at once');
    await messages.wipe();
  });

  it('keeps nothing on a shared computer', async () => {
    const name = uniqueName();
    const vault = await DeviceVault.open({ name, persist: false, fetchKeys: newDeviceKeys });
    await vault.unlock();
    await vault.store.putDraft({ key: 'a', sealed: await vault.seal('text'), updatedAt: 1 });
    expect(vault.persistent).to.equal(false);
    expect(await dbNames()).not.to.include(name);
  });

  it('falls back to memory, and says so, when the browser refuses storage', async () => {
    const real = Dexie.dependencies.indexedDB;
    Dexie.dependencies.indexedDB = { ...real, open: () => { throw new DOMException('The user denied permission to access the database.', 'UnknownError'); } } as unknown as IDBFactory;
    try {
      const vault = await DeviceVault.open({ name: uniqueName(), persist: true, fetchKeys: newDeviceKeys });
      expect(vault.persistent).to.equal(false);
      expect(vault.storageProblem).to.be.a('string');
      await vault.unlock();
      await vault.store.putDraft({ key: 'a', sealed: await vault.seal('still works'), updatedAt: 1 });
      expect(await vault.open((await vault.store.getDraft('a'))!.sealed)).to.equal('still works');
    } finally {
      Dexie.dependencies.indexedDB = real;
    }
  });
});

describe('Outbox', () => {
  type Sent = { clientId: string; body: string };
  async function outboxWith(deliver: (item: { clientId: string; payload: { body: string } }) => Promise<void>) {
    const vault = await DeviceVault.open({ name: uniqueName(), persist: false, fetchKeys: newDeviceKeys });
    await vault.unlock();
    return new Outbox<{ body: string }>(vault, deliver, `test-${crypto.randomUUID()}`);
  }

  it('sends oldest first, retries what could not be sent in the same order, and sends each id once', async () => {
    const sent: Sent[] = [];
    let failures = 1;
    const outbox = await outboxWith(async ({ clientId, payload }) => {
      if (payload.body === 'two' && failures-- > 0) throw new ApiError(0, 'network', 'offline');
      sent.push({ clientId, body: payload.body });
    });
    for (const body of ['one', 'two', 'three']) await outbox.vault.store.addOutbox({ clientId: body, kind: 'reply', target: 't', status: 'waiting', reason: null, attempts: 0, createdAt: Date.now(), sealed: await outbox.vault.seal({ body }) });
    await outbox.flush();
    expect(sent.map((s) => s.body)).to.deep.equal(['one'], 'stops at the first item that could not go, to keep the order');
    outbox.stop();
    await outbox.flush();
    await outbox.flush();
    expect(sent.map((s) => s.body)).to.deep.equal(['one', 'two', 'three']);
    expect(await outbox.items()).to.deep.equal([]);
  });

  it('keeps a refused item with its code (worded when shown) and goes on with the next; a 401 ends the session', async () => {
    const outbox = await outboxWith(async ({ payload }) => {
      if (payload.body === 'closed') throw new ApiError(409, 'thread_closed', 'This conversation is closed');
      if (payload.body === 'expired') throw new ApiError(401, 'unauthenticated', 'Sign in');
    });
    let ended = 0;
    outbox.addEventListener('session-ended', () => ended++);
    outbox.stop();
    for (const body of ['closed', 'fine', 'expired']) await outbox.add('reply', 't', { body });
    await outbox.flush();
    const items = await outbox.items();
    expect(items.map((i) => [i.payload?.body, i.status, i.code])).to.deep.equal([
      ['closed', 'refused', 'thread_closed'],
      ['expired', 'waiting', null],
    ]);
    expect(ended).to.equal(1);
    await outbox.discard(items[0]!.seq);
    expect((await outbox.items()).length).to.equal(1);
  });

  it('shares one database between views: each outbox sends and lists only its own kinds', async () => {
    const vault = await DeviceVault.open({ name: uniqueName(), persist: false, fetchKeys: newDeviceKeys });
    await vault.unlock();
    const sent: string[] = [];
    const messages = new Outbox<{ body: string }>(vault, async ({ payload }) => void sent.push(`message:${payload.body}`), 'shared', ['reply', 'thread']);
    const questionnaires = new Outbox<{ body: string }>(vault, async ({ payload }) => void sent.push(`questionnaire:${payload.body}`), 'shared', ['questionnaire-submit']);
    messages.stop();
    questionnaires.stop();
    await messages.add('reply', 't', { body: 'hello' });
    await questionnaires.add('questionnaire-submit', 'a1', { body: 'answers' });
    expect((await messages.items()).map((i) => i.kind)).to.deep.equal(['reply']);
    expect((await questionnaires.items()).map((i) => i.kind)).to.deep.equal(['questionnaire-submit']);
    await messages.flush();
    expect(sent).to.deep.equal(['message:hello'], 'the questionnaire waits for its own view');
    await questionnaires.flush();
    expect(sent).to.deep.equal(['message:hello', 'questionnaire:answers']);
    expect(await vault.store.outbox()).to.deep.equal([]);
  });
});

describe('<sm-app-status>', () => {
  it('shows the storage notice and offers the update, and asks its parent to reload', async () => {
    const el = await fixture<SmAppStatus>(html`<sm-app-status lang="fr" .storageProblem=${true} .updateReady=${true}></sm-app-status>`);
    const text = el.shadowRoot!.textContent!;
    expect(text).to.contain('Ce navigateur ne nous permet de rien conserver');
    expect(text).to.contain('Une nouvelle version');
    let reason = '';
    el.addEventListener('sm-reload-requested', (e) => (reason = e.detail.reason));
    el.shadowRoot!.querySelector('button')!.click();
    expect(reason).to.equal('update');
    await expect(el).to.be.accessible();
  });
});
