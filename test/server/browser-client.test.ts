/**
 * The browser code cannot drift from the API document. Its types already come from the schemas the
 * routes validate with (shared/api.ts, shared/messaging.ts), so this test checks the rest: every API
 * call in widget/, admin/ and shared/ (method and path) is a documented operation, and every shared
 * type the two API clients import is a schema some route uses.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { OpenAPIV3 } from 'openapi-types';
import { build } from './helpers.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Every .ts file under a folder, tests excluded. */
function sources(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.includes('node_modules'))
    .map((f) => path.join(dir, f));
}

/** `/api/x/${id}/y?q=${...}` → `/api/x/:/y`: placeholders for interpolations, no query string. */
function normalise(url: string): string {
  return url.split('?')[0]!.replace(/\$\{[^}]*\}/g, ':');
}

interface ApiCall {
  file: string;
  method: string;
  path: string;
}

/** The API calls in one file: fetchJson / uploadFile / fetch / #call / EventSource with a literal /api/ URL. */
function callsIn(file: string): { calls: ApiCall[]; otherUrls: string[] } {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const calls: ApiCall[] = [];
  const callPattern = /(fetchJson|uploadFile|fetch|#call|new EventSource)\s*(?:<[^>()]*>)?\(\s*(['`])(\/api\/[^'`]*)\2\s*(,\s*\{[^}]*\})?/g;
  const inCalls = new Set<number>();
  for (const m of text.matchAll(callPattern)) {
    const [, fn, , url, init] = m;
    const method = fn === 'uploadFile' ? 'post' : (/method:\s*'([A-Z]+)'/.exec(init ?? '')?.[1] ?? 'GET').toLowerCase();
    calls.push({ file, method, path: normalise(url!) });
    inCalls.add(m.index + m[0].indexOf(url!));
  }
  // Other /api/ literals (e.g. a URL kept in a constant): the path must exist, whatever the method.
  const otherUrls = [...text.matchAll(/(['`])(\/api\/[^'`]*)\1/g)].filter((m) => !inCalls.has(m.index + 1)).map((m) => normalise(m[2]!));
  return { calls, otherUrls };
}

describe('browser API clients', () => {
  it('call only documented operations, with types from the schemas the routes use', async (t) => {
    const { app } = await build(t, 'sqlite');
    const doc = (await app.inject('/api/openapi.json')).json() as OpenAPIV3.Document;
    const documented = Object.entries(doc.paths).map(([p, item]) => ({
      pattern: new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+')}$`),
      methods: Object.keys(item ?? {}),
    }));
    const files = ['widget', 'admin', 'shared'].flatMap(sources);
    const all = files.map(callsIn);
    const calls = all.flatMap((c) => c.calls);
    for (const c of calls) {
      const paths = documented.filter((d) => d.pattern.test(c.path));
      assert.ok(paths.length, `${c.file}: ${c.method.toUpperCase()} ${c.path} is not a documented path`);
      assert.ok(paths.some((d) => d.methods.includes(c.method)), `${c.file}: ${c.method.toUpperCase()} ${c.path} is not a documented operation`);
    }
    for (const url of all.flatMap((c) => c.otherUrls)) {
      assert.ok(documented.some((d) => d.pattern.test(url)), `${url} is not a documented path`);
    }
    t.diagnostic(`${calls.length} API calls in ${files.length} files`);
    assert.ok(calls.length >= 45, `found ${calls.length} calls: the scanner still sees the clients`);

    // The shared types the clients speak are schemas the routes validate or document (one source).
    const routeText = sources('server/routes').map((f) => fs.readFileSync(path.join(ROOT, f), 'utf8')).join('\n');
    const usedByRoutes = (name: string) => new RegExp(`\\b${name}\\b`).test(routeText.replace(/import[^;]*;/g, ''));
    const sharedSchemas = { ...(await import('../../shared/api.js')), ...(await import('../../shared/messaging.js')) } as Record<string, unknown>;
    for (const client of ['admin/admin-api.ts', 'widget/frame/patient-api.ts']) {
      const text = fs.readFileSync(path.join(ROOT, client), 'utf8');
      for (const m of text.matchAll(/import type \{([^}]*)\} from '[./]+shared\/(?:api|messaging)\.js'/g)) {
        for (const name of m[1]!.split(',').map((s) => s.trim()).filter(Boolean)) {
          assert.ok(sharedSchemas[name] && typeof sharedSchemas[name] === 'object', `${client}: ${name} is a TypeBox schema in shared/`);
          assert.ok(usedByRoutes(name), `${client}: ${name} is used by a route's schema (same type on both sides)`);
        }
      }
    }
  });
});
