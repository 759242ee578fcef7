/**
 * `npm run bench`: what the product weighs and how fast it answers, each figure with its workload.
 * Front-end sizes come from dist/ (built first by the npm script); API figures from a real server
 * on loopback with SQLite in a temporary folder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import autocannon from 'autocannon';
import { loadConfig } from '../server/config.js';
import { DEFAULT_WEB_ROOT } from '../server/bootstrap.js';
import { startProduct } from '../server/product.js';
import { clinicCipher, createClinic } from '../server/domain/clinics.js';
import { createStaff } from '../server/domain/staff.js';
import { enrolPatient } from '../server/domain/patients.js';

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
  const config = loadConfig({ PORT: '0', DEMO_PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  const product = await startProduct({ ...config, port: 38123, publicUrl: new URL('http://localhost:38123') }, { logLevel: false });
  try {
    const { db, keyring } = product.deps;
    const clinic = await createClinic(db, keyring, { slug: 'bench', name: 'Bench Clinic' });
    await createStaff(db, clinic.id, { name: 'Bench Admin', email: 'bench@bench.test', role: 'admin', password: 'bench password 123' });
    const cipher = clinicCipher(keyring, clinic);
    const patients = [];
    for (let i = 0; i < 500; i++) patients.push(await enrolPatient(db, cipher, { name: `Patient ${i}`, email: `p${i}@example.com`, dateOfBirth: '1980-01-01' }));
    const login = await fetch('http://localhost:38123/api/staff/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://localhost:38123' },
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
      const r = await autocannon({ url: `http://localhost:38123${url}`, connections, duration, headers: { cookie } });
      const ok = r['2xx'];
      console.log(`  ${label.padEnd(64)} p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms  ${Math.round(r.requests.average)} req/s  (${ok} × 2xx, ${r.non2xx} other)`);
    }
  } finally {
    await product.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

sizes();
await api();
