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
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import SQLite from 'better-sqlite3';
import { chromium } from 'playwright-core';
import { createSession } from '../server/domain/sessions.js';
import { DEFAULT_MESSAGING, saveMessagingSettings } from '../server/domain/messaging-settings.js';
import { startPatientThread, startStaffThread, staffReply } from '../server/domain/threads.js';
import { messagingContext } from '../server/routes/messaging-context.js';
import { freePort, newPage, patientSignsIn, startHarness } from '../test/e2e/harness.js';
import { fakeWebRoot } from '../test/support/fake-web-root.js';
import { DEMO_SLUG } from '../server/demo-seed.js';
import { loadConfig } from '../server/config.js';
import { DEFAULT_WEB_ROOT } from '../server/bootstrap.js';
import { startProduct } from '../server/product.js';
import { clinicCipher, createClinic, getClinicBySlug } from '../server/domain/clinics.js';
import { DateTime } from 'luxon';
import { createStaff } from '../server/domain/staff.js';
import { enrolPatient, recordConsent } from '../server/domain/patients.js';
import { scale } from './scale.js';
import { computeSlots, occupiedRange, weeklyRrule, type ProviderAvailability } from '../server/domain/booking/slots.js';
import { questionnaireRender } from './questionnaire-render.js';

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** The built files `file` loads before it runs: itself and its static imports, transitively. */
function staticClosure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const src = fs.readFileSync(file, 'utf8');
  for (const m of src.matchAll(/(?:^|[;\n}])\s*import\s*(?:[^'"()]*?from\s*)?["'](\.\/[^"']+\.js)["']/g)) staticClosure(path.join(path.dirname(file), m[1]!), seen);
  return seen;
}

/** The chunk a file imports lazily whose name starts with `name` (`import(\`./name-hash.js\`)`). */
function lazyChunk(files: Iterable<string>, name: string): string {
  for (const f of files) {
    const m = new RegExp(`import\\(\`\\./(${name}-[\\w-]+\\.js)\``).exec(fs.readFileSync(f, 'utf8'));
    if (m) return path.join(path.dirname(f), m[1]!);
  }
  throw new Error(`No lazy chunk ${name}`);
}

/** Raw, gzip -9 and brotli (the precompressed copy the server sends) sizes of a set of files. */
function weigh(files: Set<string>): { files: number; raw: number; gzip: number; brotli: number } {
  let raw = 0;
  let gzip = 0;
  let brotli = 0;
  for (const f of files) {
    const buf = fs.readFileSync(f);
    raw += buf.length;
    gzip += gzipSync(buf, { level: 9 }).length;
    brotli += fs.existsSync(`${f}.br`) ? fs.statSync(`${f}.br`).size : buf.length;
  }
  return { files: files.size, raw, gzip, brotli };
}

function pageScript(html: string): string {
  const src = /<script type="module" crossorigin src="\/([^"]+)"/.exec(fs.readFileSync(path.join(DEFAULT_WEB_ROOT, html), 'utf8'))?.[1];
  if (!src) throw new Error(`No module script in ${html}`);
  return path.join(DEFAULT_WEB_ROOT, src);
}

/** Prints the front-end weights; returns the questionnaire frame's gzip bytes (for the SurveyJS comparison). */
function sizes(): number {
  const loader = fs.readFileSync(path.join(DEFAULT_WEB_ROOT, 'widget.js'));
  console.log('Front-end weight: JS a screen needs, summed per file (gzip -9; brotli as sent to browsers that accept it):');
  console.log(`  /widget.js (embed loader; goal 4 KB gzip)             ${kb(gzipSync(loader, { level: 9 }).length)} gzip (${kb(loader.length)} raw)`);
  const frame = staticClosure(pageScript('widget/frame.html'));
  const withView = (view: string, ...more: string[]) => {
    const files = new Set(frame);
    for (const chunk of [lazyChunk(frame, view), ...more]) staticClosure(chunk, files);
    return files;
  };
  const messages = withView('sm-messages-view');
  const rows: Array<[string, Set<string>]> = [
    ['frame before sign-in (sign-in screen)', frame],
    ['frame, messages, signed in (with Dexie; goal 70 KB gzip)', new Set([...messages, ...staticClosure(lazyChunk(messages, 'indexeddb-records'))])],
    ['frame, questionnaire, signed in', withView('sm-questionnaire-view')],
    ['frame, booking, signed in', withView('sm-booking-view')],
    ['admin SPA, inbox', staticClosure(pageScript('admin/index.html'))],
  ];
  let questionnaire = 0;
  for (const [label, files] of rows) {
    const w = weigh(files);
    if (label.startsWith('frame, questionnaire')) questionnaire = w.gzip;
    console.log(`  ${label.padEnd(58)} ${kb(w.gzip)} gzip, ${kb(w.brotli)} brotli (${kb(w.raw)} raw, ${w.files} files)`);
  }
  // Fetched once the page runs, not before it can show anything: listed apart, not hidden.
  const later = weigh(new Set([lazyChunk(frame, 'workbox-window[\\w.]*')]));
  console.log(`  ${'then, after start: workbox-window (service worker sign-up)'.padEnd(58)} ${kb(later.gzip)} gzip`);
  // The catalog split, checked on the build: staff keys ('admin.…', 'mail.…') in what the frame loads.
  const frameFiles = new Set([...messages, ...withView('sm-questionnaire-view'), ...withView('sm-booking-view')]);
  const staffKeys = [...frameFiles].reduce((n, f) => n + (fs.readFileSync(f, 'utf8').match(/["'](admin|mail)\.[\w.-]+["']:/g)?.length ?? 0), 0);
  console.log(`  ${"staff strings in any frame screen's JS (goal 0)".padEnd(58)} ${staffKeys}`);
  return questionnaire;
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

/** Rendering a long thread and a large inbox in the admin. */
async function messaging(deps: Awaited<ReturnType<typeof startProduct>>['deps'], clinicId: string, base: string, patientId: string, cookie: string): Promise<void> {
  const always = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ start: '00:00', end: '23:59' }]])) as typeof DEFAULT_MESSAGING.hours;
  await saveMessagingSettings(deps.db, clinicId, { ...DEFAULT_MESSAGING, hours: always, maxChars: null, maxWords: null, weeklyThreadQuota: null });
  const ctx = await messagingContext(deps, clinicId);
  const who = { kind: 'patient' as const, clinicId, patientId };
  await startPatientThread(ctx, who, { id: randomUUID(), subject: 'Bench', category: 'other', body: BODY }, 'en');
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
  // tsx names the arrow functions it compiles through a `__name` helper; code passed to evaluate() needs it in the page too.
  await context.addInitScript('globalThis.__name = (f) => f;');
  await context.addCookies([{ name: cookie.split('=')[0]!, value: cookie.split('=')[1]!, url: base }]);
  const page = await context.newPage();
  // The pages mark themselves when their content is on screen (sm-thread-shown, sm-inbox-shown): read
  // inside the page, from its navigation start (code, API calls and render), not by polling from outside.
  // Also from the page's resource timing: when the data request (`api`, a path prefix) started and
  // its answer ended, so the figure splits into start-up (document, code, session), the request
  // (server and wire) and the render once the data and the session check have both come.
  const shown = async (url: string, mark: string, api: string) => {
    await page.goto(url);
    return page.evaluate(
      ([name, prefix]) =>
        new Promise<{ at: number; request: number; render: number; detail: Record<string, number> }>((resolve) => {
          const seen = () => {
            const e = performance.getEntriesByName(name, 'mark')[0] as PerformanceMark | undefined;
            if (!e) return false;
            const last = (path: string) => (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).filter((r) => new URL(r.name).pathname.startsWith(path)).pop();
            const data = last(prefix);
            // Rendering starts once both the data and who is signed in have come (they are asked for together).
            const ready = Math.max(data?.responseEnd ?? NaN, last('/api/staff/me')?.responseEnd ?? 0);
            resolve({ at: e.startTime, request: data ? data.responseEnd - data.startTime : NaN, render: e.startTime - ready, detail: e.detail as Record<string, number> });
            return true;
          };
          if (!seen()) new PerformanceObserver(() => void seen()).observe({ type: 'mark' });
        }),
      [mark, api] as const,
    );
  };
  const rounds = async (url: string, mark: string, api: string) => {
    await shown(url, mark, api); // warm-up: code cached, server warm
    const runs = [];
    for (let i = 0; i < 5; i++) runs.push(await shown(url, mark, api));
    const stat = (xs: number[]) => `${Math.round(median(xs))} ms [${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))}]`;
    return { total: stat(runs.map((r) => r.at)), serverAndRender: stat(runs.map((r) => r.request + r.render)), request: stat(runs.map((r) => r.request)), render: stat(runs.map((r) => r.render)), detail: runs[0]!.detail };
  };
  const thread = await rounds(`${base}/admin/inbox/${long.threadId}`, 'sm-thread-shown', `/api/threads/${long.threadId}`);
  const inbox = await rounds(`${base}/admin/inbox`, 'sm-inbox-shown', '/api/inbox');
  await browser.close();
  console.log('\nRendering in headless Chromium, marked by the page itself; its data request from the page\'s resource timing; warm-up then median [range] of 5:');
  for (const [label, r] of [[`admin thread page, 1,000 messages (${thread.detail.messages} newest shown)`, thread], [`admin inbox, 10,000 threads (first page: ${inbox.detail.threads} rows)`, inbox]] as const) {
    console.log(`  ${label}`);
    console.log(`    server + render: its request (server, wire), then the render           ${r.serverAndRender}  (goal < 100 ms; request ${r.request}, render ${r.render})`);
    console.log(`    from navigation start (document, admin code, session check too)       ${r.total}`);
  }
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

/** What one load run reports (bench/load.ts). */
interface Load {
  rps: number;
  ok: number;
  other: number;
  errors: number;
  p50: number;
  p99: number;
}

/** A POST endpoint that takes `{ id, body }`. */
interface Target {
  label: string;
  url: string;
  headers: Record<string, string>;
  /** Transactions and actions committed so far (group commit), to count commits per send. */
  commits?: () => { commits: number; actions: number };
}

const execFileAsync = promisify(execFile);

/** Runs the load generator in its own process against one target. */
async function load(target: Target, run: { duration?: number; amount?: number }, connections = 10): Promise<Load> {
  const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'load.ts'), JSON.stringify({ url: target.url, headers: target.headers, body: BODY, connections, ...run })], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Load;
}

/**
 * System calls of this process (both servers live in it) while `amount` sends run, from `strace -c`
 * attached to every thread: fsyncs, and pwrite64 (SQLite's writes to the WAL and database files;
 * sockets are written with write/writev). Null when strace cannot attach.
 */
async function syscallsPerSend(target: Target, amount = 500): Promise<{ fsyncs: number; pwrites: number; socketWrites: number } | null> {
  const tasks = fs.readdirSync(`/proc/${process.pid}/task`);
  const trace = spawn('strace', ['-c', '-f', '-e', 'trace=fsync,fdatasync,pwrite64,write,writev', ...tasks.flatMap((t) => ['-p', t])], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  trace.stderr.on('data', (d: Buffer) => void (err += d.toString()));
  const exited = new Promise<number | null>((r) => trace.on('close', r));
  trace.on('error', () => undefined);
  for (let i = 0; i < 100 && (err.match(/attached/g)?.length ?? 0) < tasks.length; i++) await new Promise((r) => setTimeout(r, 50));
  if ((err.match(/attached/g)?.length ?? 0) === 0) {
    trace.kill();
    return null;
  }
  const r = await load(target, { amount });
  trace.kill('SIGINT');
  await exited;
  const calls = (name: string) => Number(new RegExp(`^\\s*[\\d.]+\\s+[\\d.]+\\s+\\d+\\s+(\\d+)\\s+(?:\\d+\\s+)?${name}$`, 'm').exec(err)?.[1] ?? 0);
  if (r.ok === 0) return null;
  return { fsyncs: (calls('fsync') + calls('fdatasync')) / r.ok, pwrites: calls('pwrite64') / r.ok, socketWrites: (calls('write') + calls('writev')) / r.ok };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A bare Fastify server that inserts each body into SQLite (WAL, synchronous=FULL): the ceiling to compare with. */
async function bareServer(): Promise<Target & { close(): Promise<void> }> {
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
  const port = await freePort();
  await bare.listen({ port, host: '127.0.0.1' });
  return {
    label: 'bare Fastify + one better-sqlite3 insert',
    url: `http://127.0.0.1:${port}/m`,
    headers: {},
    async close() {
      await bare.close();
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A product with one clinic, a consenting patient in a thread and a signed-in admin, ready to take sends. */
async function sendingProduct(databaseUrl: string | null): Promise<{ targets: Target[]; close(): Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sm-bench-'));
  const webRoot = fakeWebRoot();
  const port = await freePort();
  const base = `http://localhost:${port}`;
  const config = loadConfig({ PORT: String(port), DEMO_PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) });
  const product = await startProduct(config, { logLevel: false, webRoot });
  const { db, keyring } = product.deps;
  const clinic = await createClinic(db, keyring, { slug: 'bench', name: 'Bench Clinic' });
  const staff = await createStaff(db, clinic.id, { name: 'Bench Admin', email: 'bench@bench.test', role: 'admin', password: 'bench password 123' });
  const patient = await enrolPatient(db, clinicCipher(keyring, clinic), { name: 'Patient 0', email: 'p0@example.com', dateOfBirth: '1980-01-01' });
  // The sending patient has accepted the clinic's consent, as the widget requires before any send.
  await recordConsent(db, clinic.id, patient.id, clinic.consent_text_en);
  const always = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ start: '00:00', end: '23:59' }]])) as typeof DEFAULT_MESSAGING.hours;
  await saveMessagingSettings(db, clinic.id, { ...DEFAULT_MESSAGING, hours: always, maxChars: null, maxWords: null, weeklyThreadQuota: null });
  const ctx = await messagingContext(product.deps, clinic.id);
  const { threadId } = await startPatientThread(ctx, { kind: 'patient', clinicId: clinic.id, patientId: patient.id }, { id: randomUUID(), subject: 'Bench', category: 'other', body: BODY }, 'en');
  const staffThread = await startStaffThread(ctx, { kind: 'staff', clinicId: clinic.id, staffId: staff.id, role: 'admin' }, { id: randomUUID(), patientId: patient.id, subject: 'Bench', category: 'other', body: BODY, patientMayReply: true });
  const { token } = await createSession(db, { kind: 'patient', clinicId: clinic.id, subjectId: patient.id });
  const login = await fetch(`${base}/api/staff/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: base }, body: JSON.stringify({ email: 'bench@bench.test', password: 'bench password 123' }) });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const group = product.deps.group;
  const commits = group ? () => ({ ...group.stats }) : undefined;
  // The e-mail notices of staff replies would compete for the CPU with the sends.
  await product.deps.jobs.stop();
  return {
    targets: [
      { label: 'patient → clinic', url: `${base}/api/patient/threads/${threadId}/messages`, headers: { authorization: `Bearer ${token}`, origin: base }, ...(commits ? { commits } : {}) },
      { label: 'clinic → patient (+ e-mail job row)', url: `${base}/api/threads/${staffThread.threadId}/messages`, headers: { cookie, origin: base }, ...(commits ? { commits } : {}) },
    ],
    async close() {
      await product.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(webRoot, { recursive: true, force: true });
    },
  };
}

/**
 * Sends per second through the whole API (auth, schema, rules, idempotency, AES-GCM; message, audit
 * row, live event and job in one durable transaction) against the bare server, load from another
 * process: a warm-up each, then rounds that alternate the servers; median and range of each.
 */
async function sends(databaseUrl: string | null, engine: string): Promise<void> {
  const rounds = 3;
  const duration = Number(process.env.BENCH_SECONDS ?? 5);
  const bare = await bareServer();
  const product = await sendingProduct(databaseUrl);
  try {
    const targets = [...product.targets, bare];
    for (const t of targets) await load(t, { duration: Math.min(2, duration) });
    const runs = new Map<Target, Array<Load & { perCommit: number | null }>>(targets.map((t) => [t, []]));
    for (let r = 0; r < rounds; r++) {
      for (const t of targets) {
        const before = t.commits?.();
        const l = await load(t, { duration });
        const after = t.commits?.();
        runs.get(t)!.push({ ...l, perCommit: before && after && after.commits > before.commits ? (after.actions - before.actions) / (after.commits - before.commits) : null });
      }
    }
    const bareMedian = median(runs.get(bare)!.map((l) => l.rps));
    console.log(`\nSends, ${engine}: ${BODY.length}-character body, 10 connections from a separate process, warm-up then ${rounds} alternating rounds of ${duration} s (median [range]):`);
    for (const t of targets) {
      const ls = runs.get(t)!;
      const rps = ls.map((l) => l.rps);
      const ratio = t === bare ? '' : `  ratio to bare ${(median(rps) / bareMedian).toFixed(2)} [${Math.min(...ls.map((l, i) => l.rps / runs.get(bare)![i]!.rps)).toFixed(2)}–${Math.max(...ls.map((l, i) => l.rps / runs.get(bare)![i]!.rps)).toFixed(2)}]`;
      const batch = ls.some((l) => l.perCommit !== null) ? `  ${median(ls.map((l) => l.perCommit ?? 1)).toFixed(1)} sends per commit` : '';
      const failed = ls.reduce((n, l) => n + l.other + l.errors, 0);
      console.log(`  ${t.label.padEnd(42)} ${Math.round(median(rps))} sends/s [${Math.round(Math.min(...rps))}–${Math.round(Math.max(...rps))}]  p50 ${median(ls.map((l) => l.p50))} ms  p99 ${median(ls.map((l) => l.p99))} ms${ratio}${batch}${failed ? `  (${failed} not 2xx!)` : ''}`);
    }
    for (const t of [product.targets[0]!, bare]) {
      const io = await syscallsPerSend(t);
      console.log(io ? `  system calls per send, ${t.label} (strace -c, 500 sends): ${io.fsyncs.toFixed(2)} fsync, ${io.pwrites.toFixed(1)} pwrite64 (SQLite files), ${io.socketWrites.toFixed(1)} write/writev (sockets)` : `  system calls per send, ${t.label}: not measured (strace could not attach)`);
    }
  } finally {
    await product.close();
    await bare.close();
  }
}

/** Runs `work` against a throwaway PostgreSQL database on the server of `url`. */
async function withPostgres(url: string, work: (databaseUrl: string) => Promise<void>): Promise<void> {
  const name = `sm_bench_${randomUUID().slice(0, 8)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  try {
    await work(u.href);
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

/** This machine's fsync: median of 200 writes of 4 KB each followed by fsync, in ms. */
function fsyncMs(): number {
  const file = path.join(os.tmpdir(), `sm-bench-fsync-${process.pid}`);
  const fd = fs.openSync(file, 'w');
  const block = Buffer.alloc(4096, 1);
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    fs.writeSync(fd, block, 0, block.length, 0);
    fs.fsyncSync(fd);
    times.push(performance.now() - t0);
  }
  fs.closeSync(fd);
  fs.rmSync(file);
  return median(times);
}

/**
 * The send figures again with every fsync `us` microseconds slower (an LD_PRELOAD shim, compiled
 * here with the system's C compiler, in a child process running both servers): the bare server
 * pays it on each insert, the full API once per group-committed batch. Skipped without a compiler.
 */
async function sendsOnSlowDisk(us: number): Promise<void> {
  const lib = path.join(os.tmpdir(), `sm-slow-fsync-${process.pid}.so`);
  try {
    await promisify(execFile)('cc', ['-shared', '-fPIC', '-O2', '-o', lib, path.join(import.meta.dirname, 'slow-fsync.c'), '-ldl']);
  } catch {
    console.log('\nSends on a slow disk: not measured (no C compiler to build bench/slow-fsync.c)');
    return;
  }
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'run.ts'), 'sends-on-slow-disk'], { env: { ...process.env, LD_PRELOAD: lib, SLOW_FSYNC_US: String(us) }, stdio: ['ignore', 'inherit', 'inherit'] });
    await new Promise((resolve) => child.on('close', resolve));
  } finally {
    fs.rmSync(lib, { force: true });
  }
}

// `npm run bench -- sends` (or `tsx bench/run.ts sends`, no build needed): only the send figures.
// BENCH_DATABASE_URL (a PostgreSQL server where the bench may create a database) adds them on PostgreSQL.
/**
 * Open slots over 90 days for 20 providers (goal < 50 ms): weekday hours 9–12 and 13–17 in
 * America/Toronto (both DST changes inside the window), a 15-minute type with a 5-minute buffer,
 * a third of the times booked and a week of vacation each. Pure computation, as the slot route runs it.
 */
function slots(): void {
  const now = new Date('2026-02-02T12:00:00Z');
  const type = { durationMinutes: 15, bufferBeforeMinutes: 0, bufferAfterMinutes: 5 };
  const rrule = weeklyRrule(['MO', 'TU', 'WE', 'TH', 'FR']);
  const providers: ProviderAvailability[] = Array.from({ length: 20 }, (_, i) => {
    const busy = [];
    for (let t = now.getTime() + 86_400_000; t < now.getTime() + 90 * 86_400_000; t += 60 * 60_000) busy.push(occupiedRange(new Date(t + ((i * 5) % 60) * 60_000), type));
    const vacation = new Date(now.getTime() + (10 + i * 3) * 86_400_000);
    return { id: `p${i}`, hours: [{ rrule, start: '09:00', end: '12:00' }, { rrule, start: '13:00', end: '17:00' }], exceptions: [{ start: vacation, end: new Date(vacation.getTime() + 7 * 86_400_000) }], busy };
  });
  const input = { timeZone: 'America/Toronto', now, fromDate: '2026-02-02', toDate: '2026-05-02', type, rules: { minNoticeMinutes: 120, horizonDays: 90, slotStepMinutes: 15 }, providers };
  computeSlots(input); // warm-up
  const times: number[] = [];
  let count = 0;
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now();
    count = computeSlots(input).length;
    times.push(performance.now() - t0);
  }
  const busy = providers.reduce((n, p) => n + p.busy.length, 0);
  console.log(`\nOpen slots, 90 days × 20 providers (${busy} booked times, a week off each; ${count} open slots found), 7 runs after a warm-up:`);
  console.log(`  computeSlots   median ${median(times).toFixed(1)} ms [${Math.min(...times).toFixed(1)}–${Math.max(...times).toFixed(1)}]   goal < 50 ms`);
}

/**
 * 50 patients booking at once over HTTP (loopback, the demo clinic; SQLite, and PostgreSQL with
 * BENCH_DATABASE_URL): each a different time
 * (3 rounds, cancelled between rounds), then all the same time (one wins, the rest 409 slot_taken).
 */
async function bookings(databaseUrl: string | null, engine: string): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sm-bench-'));
  const port = await freePort();
  const base = `http://localhost:${port}`;
  const product = await startProduct(loadConfig({ PORT: String(port), DEMO_PORT: String(await freePort()), DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) }), { logLevel: false });
  try {
    const { db, keyring } = product.deps;
    await product.deps.jobs.stop(); // the confirmation e-mails would compete for the CPU
    const clinic = (await getClinicBySlug(db, DEMO_SLUG))!;
    const cipher = clinicCipher(keyring, clinic);
    const tokens: string[] = [];
    for (let i = 0; i < 50; i++) {
      const p = await enrolPatient(db, cipher, { name: `Booker ${i}`, email: `booker${i}@example.com`, dateOfBirth: '1980-01-01' });
      await recordConsent(db, clinic.id, p.id, clinic.consent_text_en);
      tokens.push((await createSession(db, { kind: 'patient', clinicId: clinic.id, subjectId: p.id })).token);
    }
    const call = async (token: string, url: string, body?: unknown) => {
      const t0 = performance.now();
      const res = await fetch(`${base}${url}`, { method: body ? 'POST' : 'GET', headers: { authorization: `Bearer ${token}`, origin: base, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
      return { status: res.status, json: (await res.json()) as Record<string, unknown>, ms: performance.now() - t0 };
    };
    const typeId = ((await call(tokens[0]!, '/api/patient/booking/options')).json.types as Array<{ id: string }>)[0]!.id;
    const from = DateTime.now().setZone('America/Toronto').plus({ days: 3 }).toISODate()!;
    const open = (await call(tokens[0]!, `/api/patient/booking/slots?typeId=${typeId}&from=${from}&days=31`)).json.slots as Array<{ providerId: string; startsAt: string }>;
    // An hour apart per provider, so no booking's buffers reach the next one's time.
    const slots: typeof open = [];
    for (const s of open) if (!slots.some((x) => x.providerId === s.providerId && Math.abs(Date.parse(x.startsAt) - Date.parse(s.startsAt)) < 3_600_000)) slots.push(s);
    if (slots.length < 50) throw new Error(`The demo clinic has only ${slots.length} separate open times in a month`);
    const book = (token: string, slot: { providerId: string; startsAt: string }) => call(token, '/api/patient/appointments', { typeId, providerId: slot.providerId, startsAt: slot.startsAt });
    const walls: number[] = [];
    const latencies: number[] = [];
    for (let r = 0; r < 4; r++) {
      const t0 = performance.now();
      const results = await Promise.all(tokens.map((token, i) => book(token, slots[i]!)));
      if (r > 0) walls.push(performance.now() - t0); // the first round warms up
      if (r > 0) latencies.push(...results.map((x) => x.ms));
      const refused = results.filter((x) => x.status !== 201);
      if (refused.length) throw new Error(`${refused.length} bookings refused: ${JSON.stringify(refused[0]!.json)}`);
      await Promise.all(results.map((x, i) => call(tokens[i]!, `/api/patient/appointments/${String(x.json.id)}/cancel`, {})));
    }
    const t0 = performance.now();
    const race = await Promise.all(tokens.map((token) => book(token, slots[0]!)));
    const raceMs = performance.now() - t0;
    const won = race.filter((x) => x.status === 201).length;
    const lost = race.filter((x) => x.status === 409 && x.json.code === 'slot_taken').length;
    const pct = (q: number) => [...latencies].sort((a, b) => a - b)[Math.floor(q * (latencies.length - 1))]!.toFixed(0);
    console.log(`\nBookings over HTTP, ${engine}, demo clinic, 50 signed-in patients at once (median [range] of 3 rounds after a warm-up):`);
    console.log(`  50 bookings, each a different time   all answered in ${median(walls).toFixed(0)} ms [${Math.min(...walls).toFixed(0)}–${Math.max(...walls).toFixed(0)}]   per request p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms`);
    console.log(`  50 bookings of one time              ${won} booked, ${lost} × 409 slot_taken, ${race.length - won - lost} other, in ${raceMs.toFixed(0)} ms   (must be 1, 49, 0)`);
  } finally {
    await product.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** What a Chromium page observes about itself while it loads: layout shifts and long tasks, by whom. */
interface PageObservations {
  cls: number;
  hostLongTasks: number[];
  /** Each run of widget.js inside a long animation frame (its own time, what it caused included: an iframe it inserts is made then). */
  loaderRuns: number[];
  frameLongTasks: number[];
  scripts: Array<{ name: string; start: number; duration: number }>;
}

/**
 * The embed on a host page, measured inside the page (PerformanceObserver from an init script, so
 * nothing is missed): cumulative layout shift, and long tasks (> 50 ms) on the host's main thread
 * (where widget.js runs) and in the frames. CPU slowed 4× through the DevTools protocol, as
 * Lighthouse's mobile run does. Median [range] of 3 loads after a warm-up, each in a fresh context.
 */
async function loaderPerf(): Promise<void> {
  const h = await startHarness();
  try {
    const observe = `(() => {
      const o = (globalThis.__smPerf = { cls: 0, hostLongTasks: [], loaderRuns: [], frameLongTasks: [], scripts: [] });
      // Long animation frames say which script ran in them and for how long: the loader's share of the host's long tasks.
      new PerformanceObserver((l) => { for (const e of l.getEntries()) for (const s of e.scripts) if (s.sourceURL.endsWith('/widget.js')) o.loaderRuns.push(Math.round(s.duration)); }).observe({ type: 'long-animation-frame', buffered: true });
      new PerformanceObserver((l) => { for (const e of l.getEntries()) if (!e.hadRecentInput) o.cls += e.value; }).observe({ type: 'layout-shift', buffered: true });
      new PerformanceObserver((l) => { for (const e of l.getEntries()) (e.name === 'self' ? o.hostLongTasks : o.frameLongTasks).push(Math.round(e.duration)); }).observe({ type: 'longtask', buffered: true });
    })();`;
    const measure = async (url: string): Promise<PageObservations> => {
      const context = await h.browser.newContext({ locale: 'en-CA', serviceWorkers: 'block', viewport: { width: 412, height: 823 } });
      await context.addInitScript(observe);
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
      await page.goto(url, { waitUntil: 'load' });
      // Until the frames have drawn and reported their height, and a little after.
      await page.frameLocator('iframe').first().locator('sm-frame-app').waitFor({ timeout: 30_000 });
      await page.waitForTimeout(2000);
      const seen = await page.evaluate(() => {
        const o = (globalThis as unknown as { __smPerf: PageObservations }).__smPerf;
        const scripts = performance.getEntriesByType('resource').filter((e) => (e as PerformanceResourceTiming).initiatorType === 'script').map((e) => ({ name: e.name.split('/').pop()!, start: Math.round(e.startTime), duration: Math.round(e.duration) }));
        return { ...o, scripts };
      });
      await context.close();
      return seen;
    };
    console.log('\nThe embed on a host page (412 px wide, CPU 4× slower; in-page PerformanceObserver; median [range] of 3 loads):');
    for (const [label, url] of [
      ['demo clinic page (3 embeds)', h.product.demoUrl!],
      [`patient portal /p/${DEMO_SLUG}`, `${h.product.publicUrl}/p/${DEMO_SLUG}`],
    ] as const) {
      await measure(url); // warm-up (server caches, disk)
      const runs: PageObservations[] = [];
      for (let i = 0; i < 3; i++) runs.push(await measure(url));
      const stat = (xs: number[], digits = 0) => `${median(xs).toFixed(digits)} [${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}]`;
      const longest = (xs: number[]) => (xs.length ? Math.max(...xs) : 0);
      console.log(`  ${label}`);
      console.log(`    layout shift (goal < 0.05)                               ${stat(runs.map((r) => r.cls), 3)}`);
      console.log(`    longest run of widget.js, the loader (goal none > 50 ms)        ${stat(runs.map((r) => longest(r.loaderRuns)))} ms  (long-animation-frame script attribution; an iframe's creation counts in the run that inserts it)`);
      console.log(`    longest task on the host page, any cause                         ${stat(runs.map((r) => longest(r.hostLongTasks)))} ms  (${stat(runs.map((r) => r.hostLongTasks.length))} long tasks; the page's own parsing and layout too)`);
      console.log(`    longest task inside the frames                           ${stat(runs.map((r) => longest(r.frameLongTasks)))} ms  (${stat(runs.map((r) => r.frameLongTasks.length))} long tasks)`);
    }
  } finally {
    await h.close();
  }
}

/**
 * Lighthouse (12.2.3, mobile defaults: simulated slow 4G and 4× CPU) performance score for the demo
 * clinic page and the patient portal, median [range] of 3 runs, with the metrics behind it.
 */
async function lighthouse(): Promise<void> {
  const h = await startHarness();
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'sm-lighthouse-'));
  try {
    const bin = path.resolve(import.meta.dirname, '../node_modules/.bin/lighthouse');
    type Lhr = { categories: { performance: { score: number } }; audits: Record<string, { numericValue?: number; score: number | null; displayValue?: string }> };
    const run = async (url: string, i: number): Promise<Lhr> => {
      const file = path.join(out, `${i}.json`);
      await promisify(execFile)(bin, [url, '--only-categories=performance', '--output=json', `--output-path=${file}`, '--quiet', '--chrome-flags=--headless=new --no-sandbox --disable-gpu'], {
        env: { ...process.env, CHROME_PATH: process.env.CHROME_PATH || '/usr/bin/chromium' },
        maxBuffer: 1e8,
      });
      return JSON.parse(fs.readFileSync(file, 'utf8')) as Lhr;
    };
    console.log('\nLighthouse 12.2.3 performance (mobile: simulated slow 4G, 4× CPU), median [range] of 3 runs:');
    let n = 0;
    for (const [label, url] of [
      ['demo clinic page (3 embeds)', h.product.demoUrl!],
      [`patient portal /p/${DEMO_SLUG}`, `${h.product.publicUrl}/p/${DEMO_SLUG}`],
    ] as const) {
      const runs: Lhr[] = [];
      for (let i = 0; i < 3; i++) runs.push(await run(url, n++));
      const stat = (xs: number[], digits = 0) => `${median(xs).toFixed(digits)} [${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}]`;
      const metric = (id: string, scale = 1, digits = 0) => stat(runs.map((r) => (r.audits[id]?.numericValue ?? 0) / scale), digits);
      console.log(`  ${label.padEnd(40)} score ${stat(runs.map((r) => Math.round(r.categories.performance.score * 100)))} (goal ≥ 95)`);
      console.log(`    FCP ${metric('first-contentful-paint')} ms, LCP ${metric('largest-contentful-paint')} ms, TBT ${metric('total-blocking-time')} ms, CLS ${metric('cumulative-layout-shift', 1, 3)}, unused JS ${metric('unused-javascript', 1)} ms`);
      const last = runs[runs.length - 1]!;
      const flagged = Object.entries(last.audits).filter(([, a]) => a.score !== null && a.score < 0.9 && a.displayValue).map(([id, a]) => `${id} (${a.displayValue})`);
      if (flagged.length) console.log(`    flagged: ${flagged.join('; ')}`);
    }
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
    await h.close();
  }
}

/** `npm run bench -- sizes`, `-- slots`, `-- loader`, `-- lighthouse`, `-- questionnaire`, `-- bookings`, `-- scale`, `-- api` (API latency and render marks) or `-- sends` runs one part; no argument runs all. */
const only = process.argv[2];
let questionnaireGzip: number | null = null;
if (!only || only === 'sizes') {
  questionnaireGzip = sizes();
  precache();
}
if (!only || only === 'questionnaire') await questionnaireRender(questionnaireGzip ?? sizes());
if (!only || only === 'slots') slots();
if (!only || only === 'loader') await loaderPerf();
if (!only || only === 'lighthouse') await lighthouse();
if (!only || only === 'bookings') {
  await bookings(null, 'SQLite (WAL, synchronous=FULL)');
  if (process.env.BENCH_DATABASE_URL) await withPostgres(process.env.BENCH_DATABASE_URL, (url) => bookings(url, 'PostgreSQL (pool of 10)'));
}
if (!only || only === 'scale') {
  await scale(null, 'SQLite (WAL, synchronous=FULL)');
  if (process.env.BENCH_DATABASE_URL) await withPostgres(process.env.BENCH_DATABASE_URL, (url) => scale(url, 'PostgreSQL (pool of 10)'));
}
if (!only) await outboxFlush();
if (!only || only === 'api') await api();
if (!only || only === 'sends') {
  await sends(null, `SQLite (WAL, synchronous=FULL; group commit; this machine's fsync of a 4 KB write: ${fsyncMs().toFixed(2)} ms)`);
  await sendsOnSlowDisk(2000);
  if (process.env.BENCH_DATABASE_URL) await withPostgres(process.env.BENCH_DATABASE_URL, (url) => sends(url, 'PostgreSQL (pool of 10)'));
}
if (only === 'sends-on-slow-disk') await sends(null, `SQLite (WAL, synchronous=FULL; group commit), every fsync made ${Number(process.env.SLOW_FSYNC_US) / 1000} ms slower (bench/slow-fsync.c)`);
