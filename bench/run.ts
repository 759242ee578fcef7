/**
 * `npm run bench`: what the product weighs and how fast it answers, each figure with its workload.
 * Front-end sizes come from dist/ (built first by the npm script); API figures from a real server
 * on loopback with SQLite in a temporary folder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import SQLite from 'better-sqlite3';
import { chromium } from 'playwright-core';
import { createSession } from '../server/domain/sessions.js';
import { DEFAULT_MESSAGING, saveMessagingSettings } from '../server/domain/messaging-settings.js';
import { startPatientThread, startStaffThread, staffReply } from '../server/domain/threads.js';
import { messagingContext } from '../server/routes/messaging-context.js';
import { freePort, newPage, patientSignsIn, startHarness } from '../test/e2e/harness.js';
import { DEMO_SLUG } from '../server/demo-seed.js';
import { loadConfig } from '../server/config.js';
import { DEFAULT_WEB_ROOT } from '../server/bootstrap.js';
import { startProduct } from '../server/product.js';
import { clinicCipher, createClinic, getClinicBySlug } from '../server/domain/clinics.js';
import { createStaff } from '../server/domain/staff.js';
import { enrolPatient, recordConsent } from '../server/domain/patients.js';

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** The gzipped size of a built entry chunk plus every chunk it imports statically. */
function entryWeight(file: string): { files: number; raw: number; gzip: number } {
  const seen = new Set<string>();
  const visit = (f: string) => {
    if (seen.has(f)) return;
    seen.add(f);
    const src = fs.readFileSync(f, 'utf8');
    for (const m of src.matchAll(/(?:^|[;\n}])\s*import\s*(?:[^'"()]*?from\s*)?["'](\.\/[^"']+\.js)["']/g)) visit(path.join(path.dirname(f), m[1]!));
  };
  visit(file);
  let raw = 0;
  let gzip = 0;
  for (const f of seen) {
    const buf = fs.readFileSync(f);
    raw += buf.length;
    gzip += gzipSync(buf, { level: 9 }).length;
  }
  return { files: seen.size, raw, gzip };
}

function pageScript(html: string): string {
  const src = /<script type="module" crossorigin src="\/([^"]+)"/.exec(fs.readFileSync(path.join(DEFAULT_WEB_ROOT, html), 'utf8'))?.[1];
  if (!src) throw new Error(`No module script in ${html}`);
  return path.join(DEFAULT_WEB_ROOT, src);
}

function sizes(): void {
  const loader = fs.readFileSync(path.join(DEFAULT_WEB_ROOT, 'widget.js'));
  console.log('Front-end weight (gzip -9 of the built files, entry plus its static imports):');
  console.log(`  /widget.js (embed loader, budget 4 KB)   ${kb(gzipSync(loader, { level: 9 }).length)} gzipped (${kb(loader.length)} raw)`);
  for (const [label, html] of [['frame page (/frame/*)', 'widget/frame.html'], ['admin SPA (/admin/)', 'admin/index.html']] as const) {
    const w = entryWeight(pageScript(html));
    console.log(`  ${label.padEnd(40)} ${kb(w.gzip)} gzipped (${kb(w.raw)} raw, ${w.files} files)`);
  }
}

async function api(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sm-bench-'));
  const port = await freePort();
  const base = `http://localhost:${port}`;
  const config = loadConfig({ PORT: String(port), DEMO_PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  const product = await startProduct(config, { logLevel: false });
  try {
    const { db, keyring } = product.deps;
    const clinic = await createClinic(db, keyring, { slug: 'bench', name: 'Bench Clinic' });
    await createStaff(db, clinic.id, { name: 'Bench Admin', email: 'bench@bench.test', role: 'admin', password: 'bench password 123' });
    const cipher = clinicCipher(keyring, clinic);
    const patients = [];
    for (let i = 0; i < 500; i++) patients.push(await enrolPatient(db, cipher, { name: `Patient ${i}`, email: `p${i}@example.com`, dateOfBirth: '1980-01-01' }));
    const login = await fetch(`${base}/api/staff/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: base },
      body: JSON.stringify({ email: 'bench@bench.test', password: 'bench password 123' }),
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const duration = 5;
    const connections = 10;
    console.log(`\nAPI on loopback, SQLite (WAL, synchronous=FULL), ${connections} connections for ${duration} s each, staff session cookie:`);
    for (const [label, url] of [
      ['GET /api/staff/me (session check + 2 reads)', '/api/staff/me'],
      ['GET /api/patients/:id (decrypt + audit insert)', `/api/patients/${patients[250]!.id}`],
      ['GET /api/patients?q=Patient 49 (decrypt 500, filter, audit 11)', `/api/patients?q=${encodeURIComponent('Patient 49')}`],
    ] as const) {
      const r = await autocannon({ url: `${base}${url}`, connections, duration, headers: { cookie } });
      const ok = r['2xx'];
      console.log(`  ${label.padEnd(64)} p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms  ${Math.round(r.requests.average)} req/s  (${ok} × 2xx, ${r.non2xx} other)`);
    }
    // The sending patient has accepted the clinic's consent, as the widget requires before any send.
    await recordConsent(db, clinic.id, patients[0]!.id, clinic.consent_text_en);
    await messaging(product.deps, clinic.id, base, patients[0]!.id, cookie);
  } finally {
    await product.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const BODY = 'Could you renew my prescription for lisinopril 10 mg? I have two pills left. Thank you. '.repeat(4);

/** Messages through the real API (validation, encryption, audit) against a bare Fastify + SQLite insert. */
async function messaging(deps: Awaited<ReturnType<typeof startProduct>>['deps'], clinicId: string, base: string, patientId: string, cookie: string): Promise<void> {
  const always = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ start: '00:00', end: '23:59' }]])) as typeof DEFAULT_MESSAGING.hours;
  await saveMessagingSettings(deps.db, clinicId, { ...DEFAULT_MESSAGING, hours: always, maxChars: null, maxWords: null, weeklyThreadQuota: null });
  const ctx = await messagingContext(deps, clinicId);
  const who = { kind: 'patient' as const, clinicId, patientId };
  const { threadId } = await startPatientThread(ctx, who, { id: randomUUID(), subject: 'Bench', category: 'other', body: BODY }, 'en');
  const { token } = await createSession(deps.db, { kind: 'patient', clinicId, subjectId: patientId });
  const duration = 5;
  const connections = 10;
  const send = await autocannon({
    url: `${base}/api/patient/threads/${threadId}/messages`, method: 'POST', connections, duration,
    headers: { authorization: `Bearer ${token}`, origin: base, 'content-type': 'application/json' },
    requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify({ id: randomUUID(), body: BODY }) }) }],
  });

  // A staff reply also leaves a job row (the patient's e-mail notice) in the same transaction.
  const staffThread = await startStaffThread(ctx, { kind: 'staff', clinicId, staffId: (await deps.db.selectFrom('staff').select('id').where('clinic_id', '=', clinicId).executeTakeFirstOrThrow()).id, role: 'admin' }, { id: randomUUID(), patientId, subject: 'Bench', category: 'other', body: BODY, patientMayReply: true });
  const staffSend = await autocannon({
    url: `${base}/api/threads/${staffThread.threadId}/messages`, method: 'POST', connections, duration,
    headers: { cookie, origin: base, 'content-type': 'application/json' },
    requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify({ id: randomUUID(), body: BODY }) }) }],
  });

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sm-bare-'));
  const db = new SQLite(path.join(dir, 'bare.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('create table messages (id text primary key, thread_id text, body text, created_at text)');
  const insert = db.prepare('insert into messages values (?, ?, ?, ?)');
  const bare = Fastify();
  bare.post('/m', async (req) => {
    const b = req.body as { id: string; body: string };
    insert.run(b.id, 't', b.body, new Date().toISOString());
    return { ok: true };
  });
  const barePort = await freePort();
  await bare.listen({ port: barePort, host: '127.0.0.1' });
  const baseline = await autocannon({
    url: `http://127.0.0.1:${barePort}/m`, method: 'POST', connections, duration, headers: { 'content-type': 'application/json' },
    requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify({ id: randomUUID(), body: BODY }) }) }],
  });
  await bare.close();
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(`\nSending messages (${BODY.length}-character body, ${connections} connections, ${duration} s, SQLite synchronous=FULL):`);
  console.log(`  patient → clinic: real API (auth, schema, limits, idempotency, AES-GCM; message + audit + live event in one transaction)`);
  console.log(`                                                                      ${Math.round(send.requests.average)} msg/s  p50 ${send.latency.p50} ms  p99 ${send.latency.p99} ms  (${send['2xx']} × 2xx, ${send.non2xx} other)`);
  console.log(`  clinic → patient: the same plus the e-mail job row                  ${Math.round(staffSend.requests.average)} msg/s  p50 ${staffSend.latency.p50} ms  p99 ${staffSend.latency.p99} ms  (${staffSend['2xx']} × 2xx, ${staffSend.non2xx} other)`);
  console.log(`  before durability (audit after commit, no job/event rows; stop 5)   454 msg/s  p50 20 ms  p99 42 ms, ratio 0.22`);
  console.log(`  bare Fastify + one SQLite insert of the same body                   ${Math.round(baseline.requests.average)} msg/s  p50 ${baseline.latency.p50} ms  p99 ${baseline.latency.p99} ms`);
  console.log(`  ratio real / bare                                                   ${(send.requests.average / baseline.requests.average).toFixed(2)}`);

  // Rendering: one thread of 1,000 messages, and the inbox over 10,000 threads. The e-mail notices
  // these sends queue would compete for the CPU with the timings, so the runner stops first.
  await deps.jobs.stop();
  const staff = await deps.db.selectFrom('staff').select(['id']).where('clinic_id', '=', clinicId).executeTakeFirstOrThrow();
  const staffWho = { kind: 'staff' as const, clinicId, staffId: staff.id, role: 'admin' as const };
  const long = await startStaffThread(ctx, staffWho, { id: randomUUID(), patientId, subject: 'Long', category: 'other', body: BODY, patientMayReply: true });
  for (let i = 1; i < 1000; i++) await staffReply(ctx, staffWho, long.threadId, { id: randomUUID(), body: `${i}: ${BODY}` });
  const existing = Number((await deps.db.selectFrom('threads').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  for (let i = existing; i < 10_000; i++) await startStaffThread(ctx, staffWho, { id: randomUUID(), patientId, subject: `Thread ${i}`, category: 'other', body: BODY, patientMayReply: true });

  const browser = await chromium.launch({ executablePath: process.env.CHROME_PATH || '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'] });
  const context = await browser.newContext();
  await context.addCookies([{ name: cookie.split('=')[0]!, value: cookie.split('=')[1]!, url: base }]);
  const page = await context.newPage();
  const timed = async (url: string, ready: () => Promise<unknown>) => {
    const t0 = Date.now();
    await page.goto(url);
    await ready();
    return Date.now() - t0;
  };
  const threadMs = await timed(`${base}/admin/inbox/${long.threadId}`, () => page.locator('sm-thread-page li').nth(999).waitFor({ timeout: 60_000 }));
  const inboxMs = await timed(`${base}/admin/inbox`, () => page.locator('sm-inbox-page ul.threads li').nth(199).waitFor({ timeout: 60_000 }));
  await browser.close();
  console.log('\nRendering in headless Chromium (navigation to last item visible, including the API call):');
  console.log(`  admin thread page, 1,000 messages                                   ${threadMs} ms`);
  console.log(`  admin inbox, 10,000 threads in the clinic (first page: 200 rows)    ${inboxMs} ms`);
}

/** What the service worker downloads and keeps at install (dist/sw.js's precache list). */
function precache(): void {
  const sw = fs.readFileSync(path.join(DEFAULT_WEB_ROOT, 'sw.js'), 'utf8');
  const urls = [...sw.matchAll(/\{url:"([^"]+)"/g)].map((m) => m[1]!);
  const files = urls.map((u) => path.join(DEFAULT_WEB_ROOT, u === '/admin/' ? 'admin/index.html' : u));
  const raw = files.reduce((n, f) => n + fs.statSync(f).size, 0);
  const gzip = files.reduce((n, f) => n + gzipSync(fs.readFileSync(f), { level: 9 }).length, 0);
  console.log(`\nService worker precache: ${urls.length} files, ${kb(raw)} raw (${kb(gzip)} gzipped over the wire); sw.js itself ${kb(Buffer.byteLength(sw))}`);
}

/**
 * The patient portal in Chromium: 100 replies queued in the frame's outbox while offline, then the
 * connection returns; time until the server holds all 100, each exactly once.
 */
async function outboxFlush(): Promise<void> {
  const h = await startHarness();
  try {
    const clinic = await getClinicBySlug(h.product.deps.db, DEMO_SLUG);
    await saveMessagingSettings(h.product.deps.db, clinic.id, { ...DEFAULT_MESSAGING, hours: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ start: '00:00', end: '23:59' }]])) as typeof DEFAULT_MESSAGING.hours });
    const ctx = await messagingContext(h.product.deps, clinic.id);
    const staff = await h.product.deps.db.selectFrom('staff').select('id').where('clinic_id', '=', clinic.id).executeTakeFirstOrThrow();
    const patient = await h.product.deps.db.selectFrom('patients').select('id').where('clinic_id', '=', clinic.id).executeTakeFirstOrThrow();
    const { threadId } = await startStaffThread(ctx, { kind: 'staff', clinicId: clinic.id, staffId: staff.id, role: 'admin' }, { id: randomUUID(), patientId: patient.id, subject: 'Bench', category: 'other', body: 'Hello', patientMayReply: true });

    const page = await newPage(h.browser);
    await patientSignsIn(h, page, `${h.product.publicUrl}/p/${DEMO_SLUG}`);
    const frame = page.frames().find((f) => f.url().includes('/frame/messages'))!;
    await frame.waitForFunction(() => Boolean((document.querySelector('sm-frame-app') as unknown as { deviceSession: unknown }).deviceSession));
    await page.context().setOffline(true);
    await frame.evaluate(async ({ threadId, body }) => {
      const outbox = (document.querySelector('sm-frame-app') as unknown as { deviceSession: { outbox: { add(k: string, t: string, p: unknown): Promise<string> } } }).deviceSession.outbox;
      for (let i = 0; i < 100; i++) await outbox.add('reply', threadId, { body: `${i} ${body}`, attachmentIds: [], label: 'Bench' });
    }, { threadId, body: BODY });
    const count = async () => Number((await h.product.deps.db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).where('thread_id', '=', threadId).where('author_type', '=', 'patient').executeTakeFirstOrThrow()).n);
    const t0 = Date.now();
    await page.context().setOffline(false);
    while ((await count()) < 100 && Date.now() - t0 < 120_000) await new Promise((r) => setTimeout(r, 20));
    const ms = Date.now() - t0;
    await new Promise((r) => setTimeout(r, 1000));
    const delivered = await count();
    console.log(`\nOutbox: 100 replies (${BODY.length} characters) queued offline in the portal frame, connection restored:`);
    console.log(`  all delivered in ${ms} ms (${Math.round(100_000 / ms)} msg/s); server holds ${delivered} (exactly once: ${delivered === 100 ? 'yes' : 'NO'})`);
  } finally {
    await h.close();
  }
}

sizes();
precache();
await outboxFlush();
await api();
