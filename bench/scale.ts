/**
 * `npm run bench -- scale`: the inbox and patient search as a clinic grows (500 → 50,000 patients,
 * 10,000 → 100,000 threads), timed over HTTP from a separate process (bench/probe.ts) against a real
 * server, each figure beside its goal from the scale issue.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { loadConfig } from '../server/config.js';
import { startProduct } from '../server/product.js';
import { clinicCipher, createClinic, getClinicBySlug } from '../server/domain/clinics.js';
import { createStaff } from '../server/domain/staff.js';
import { enrolPatient } from '../server/domain/patients.js';
import { freePort } from '../test/e2e/harness.js';
import { fakeWebRoot } from '../test/support/fake-web-root.js';

const FIRST = ['Alex', 'Marie', 'Jean', 'Priya', 'Wei', 'Fatima', 'Liam', 'Chloé', 'Noah', 'Aisha', 'Olivier', 'Sofia', 'Mateo', 'Émilie', 'Omar', 'Grace'];
const LAST = ['Tremblay', 'Gagnon', 'Roy', 'Singh', 'Chen', 'Nguyen', 'Smith', 'Côté', 'Bouchard', 'Patel', 'Wilson', 'Lavoie', 'Ahmed', 'Martin', 'Brown', 'Li', 'Pelletier', 'Kim', 'Morin', 'Khan'];

/** The clinic's sizes measured, in order (each adds to the previous one). */
const STEPS = [
  { patients: 500, threads: 10_000 },
  { patients: 5_000, threads: 10_000 },
  { patients: 50_000, threads: 10_000 },
  { patients: 50_000, threads: 100_000 },
];

const execFileAsync = promisify(execFile);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (ms: number) => (ms < 10 ? ms.toFixed(1) : Math.round(ms).toString());

type Product = Awaited<ReturnType<typeof startProduct>>;

/** Enrols patients through the domain (encrypted details and blind-index tokens), 500 per transaction. */
async function enrol(product: Product, from: number, to: number): Promise<string[]> {
  const clinic = await getClinicBySlug(product.deps.db, 'scale');
  const cipher = clinicCipher(product.deps.keyring, clinic!);
  const ids: string[] = [];
  for (let i = from; i < to; i += 500) {
    await product.deps.db.transaction().execute(async (tx) => {
      for (let k = i; k < Math.min(to, i + 500); k++) {
        const name = `${FIRST[k % FIRST.length]} ${LAST[Math.floor(k / FIRST.length) % LAST.length]} ${k}`;
        const p = await enrolPatient(tx, cipher, { name, email: `patient${k}@example.com`, dateOfBirth: '1980-01-01', healthNumber: `${String(1_000_000_000 + k)}AB` });
        ids.push(p.id);
      }
    });
  }
  return ids;
}

/** Threads written straight into the table (the send path has its own benchmark): half await a reply. */
async function addThreads(product: Product, clinicId: string, patientIds: string[], from: number, to: number): Promise<void> {
  const clinic = await getClinicBySlug(product.deps.db, 'scale');
  const subject = clinicCipher(product.deps.keyring, clinic!).encrypt('Prescription renewal', 'thread.subject');
  const start = Date.parse('2026-01-01T00:00:00Z');
  for (let i = from; i < to; i += 1000) {
    const rows = [];
    for (let k = i; k < Math.min(to, i + 1000); k++) {
      const at = new Date(start + k * 60_000).toISOString();
      const waiting = k % 2 === 0;
      rows.push({
        id: randomUUID(), clinic_id: clinicId, patient_id: patientIds[k % patientIds.length]!, subject_enc: subject, category: 'other', status: 'open' as const, patient_may_reply: 1, started_by: 'patient' as const,
        assigned_to: null, awaiting_reply_since: waiting ? at : null, due_at: waiting ? new Date(Date.parse(at) + 2 * 86_400_000).toISOString() : null,
        patient_unread: 0, staff_unread: waiting ? 1 : 0, patient_message_at: waiting ? at : null, last_message_at: at, created_at: at,
      });
    }
    await product.deps.db.insertInto('threads').values(rows).execute();
  }
}

/** Median and range (ms) of each URL, from the probe process. */
async function probe(urls: string[], cookie: string, base: string): Promise<Array<{ median: number; min: number; max: number }>> {
  const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'probe.ts'), JSON.stringify({ urls, headers: { cookie, origin: base }, warmup: 3, rounds: 15 })], { maxBuffer: 1 << 22 });
  const times = JSON.parse(stdout.trim().split('\n').pop()!) as number[][];
  return times.map((t) => ({ median: median(t), min: Math.min(...t), max: Math.max(...t) }));
}

/** GET as JSON; retried once, since a keep-alive socket left idle through a long seeding step may be closed as it is reused. */
async function getJson<T>(url: string, cookie: string): Promise<T> {
  const once = async () => (await fetch(url, { headers: { cookie } })).json() as Promise<T>;
  return once().catch(once);
}

export async function scale(databaseUrl: string | null, engine: string): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sm-bench-scale-'));
  const webRoot = fakeWebRoot();
  const port = await freePort();
  const base = `http://localhost:${port}`;
  const config = loadConfig({ PORT: String(port), DEMO_PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) });
  const product = await startProduct(config, { logLevel: false, webRoot });
  try {
    // Jobs (e-mail, sweeps) would compete with the timings for the CPU.
    await product.deps.jobs.stop();
    const clinic = await createClinic(product.deps.db, product.deps.keyring, { slug: 'scale', name: 'Scale Clinic' });
    await createStaff(product.deps.db, clinic.id, { name: 'Scale Admin', email: 'admin@scale.test', role: 'admin', password: 'scale password 123' });
    const login = await fetch(`${base}/api/staff/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: base }, body: JSON.stringify({ email: 'admin@scale.test', password: 'scale password 123' }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    console.log(`\nClinic scale, ${engine}: patients enrolled through the domain (encrypted, blind-indexed), threads inserted with half awaiting a reply; GETs one at a time from a separate process, 3 warm-up then 15 alternating rounds, median [range] in ms:`);
    console.log(`  ${'patients'.padStart(8)} ${'threads'.padStart(8)}  ${'inbox, newest (200)'.padEnd(20)} ${'inbox, due first'.padEnd(20)} ${'inbox, page 2'.padEnd(20)} ${'search e-mail'.padEnd(20)} ${'search name prefix'.padEnd(20)}`);
    const patientIds: string[] = [];
    let threads = 0;
    for (const step of STEPS) {
      if (patientIds.length < step.patients) patientIds.push(...(await enrol(product, patientIds.length, step.patients)));
      if (threads < step.threads) {
        await addThreads(product, clinic.id, patientIds, threads, step.threads);
        threads = step.threads;
      }
      // Fresh planner statistics and visibility map (index-only counts), as autovacuum would have after a bulk load.
      if (databaseUrl) await sql`vacuum analyze`.execute(product.deps.db);
      const first = await getJson<{ threads: unknown[]; nextCursor: string | null }>(`${base}/api/inbox?limit=200`, cookie);
      if (first.threads.length !== 200 || !first.nextCursor) throw new Error('The inbox did not return a full first page');
      const who = Math.floor(step.patients / 2);
      const urls = [
        `${base}/api/inbox?limit=200`,
        `${base}/api/inbox?limit=200&sort=due`,
        `${base}/api/inbox?limit=200&cursor=${first.nextCursor}`,
        `${base}/api/patients?q=${encodeURIComponent(`patient${who}@example.com`)}`,
        `${base}/api/patients?q=${encodeURIComponent('Chlo Trem')}`,
      ];
      const found = await getJson<{ patients: Array<{ email: string }> }>(urls[3]!, cookie);
      if (found.patients.length !== 1) throw new Error(`Search by e-mail found ${found.patients.length} patients`);
      const r = await probe(urls, cookie, base);
      const cell = (x: { median: number; min: number; max: number }) => `${fmt(x.median)} [${fmt(x.min)}–${fmt(x.max)}]`.padEnd(20);
      console.log(`  ${step.patients.toLocaleString('en-CA').padStart(8)} ${step.threads.toLocaleString('en-CA').padStart(8)}  ${r.map(cell).join(' ')}`);
    }
    console.log('  goals: inbox with 10,000 threads < 100 ms (server + render; here the server and the wire only); with 100,000 threads over 50,000 patients, it answers; patient search among 50,000 < 50 ms');
  } finally {
    await product.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(webRoot, { recursive: true, force: true });
  }
}
