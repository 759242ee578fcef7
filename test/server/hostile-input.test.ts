/**
 * Hostile input found by outside testing: a decompression bomb posing as an attachment, and
 * percent-encoded paths that once slipped past the CSRF check and the no-store header.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { deflateRawSync } from 'node:zlib';
import { sniffType } from '../../server/domain/attachments.js';
import { DEFAULT_MESSAGING } from '../../server/domain/messaging-settings.js';
import { DIALECTS, ORIGIN, build, call, patientToken, seedClinic, seedPatient, staffCookie } from './helpers.js';

/** A ZIP whose one entry, `[Content_Types].xml`, inflates to `size` bytes of zeros (an Office-file lookalike). */
function zipBomb(size: number): Buffer {
  const name = Buffer.from('[Content_Types].xml');
  const data = deflateRawSync(Buffer.alloc(size), { level: 9 });
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(8, 8); // deflate
  header.writeUInt32LE(data.length, 18);
  header.writeUInt32LE(size, 22);
  header.writeUInt16LE(name.length, 26);
  return Buffer.concat([header, name, data]);
}

function multipart(file: Buffer, name: string) {
  const boundary = 'xBoundary42';
  return {
    payload: Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`), file, Buffer.from(`\r\n--${boundary}--\r\n`)]),
    type: `multipart/form-data; boundary=${boundary}`,
  };
}

describe('file types from a bounded prefix', () => {
  it('recognises PDF, JPEG and PNG by their first bytes and nothing else', () => {
    assert.equal(sniffType(Buffer.from('%PDF-1.7\n...')), 'application/pdf');
    assert.equal(sniffType(Buffer.concat([Buffer.from('junk before the header '), Buffer.from('%PDF-1.4')])), 'application/pdf');
    assert.equal(sniffType(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10])), 'image/jpeg');
    assert.equal(sniffType(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0])), 'image/png');
    assert.equal(sniffType(zipBomb(1024)), null);
    assert.equal(sniffType(Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(4096)])), null);
    assert.equal(sniffType(Buffer.concat([Buffer.alloc(2048), Buffer.from('%PDF-')])), null, 'a PDF marker past the first kilobyte does not count');
    assert.equal(sniffType(Buffer.from('<svg onload=alert(1)>')), null);
  });
});

for (const d of DIALECTS) {
  describe(`hostile input (${d.name})`, { skip: d.skip }, () => {
    it('refuses a ZIP that inflates to 1 GB, and a ZIP header followed by zeros, with 415, without stalling', async (t) => {
      const ctx = await build(t, d.name);
      const clinic = await seedClinic(ctx.deps, 'north');
      const patient = await seedPatient(ctx.deps, clinic);
      const cookie = await staffCookie(ctx.app, 'admin@north.test');
      const bomb = zipBomb(1024 * 1024 * 1024);
      assert.ok(bomb.length < 2 * 1024 * 1024, `the bomb is small on the wire (${bomb.length} bytes)`);
      for (const file of [bomb, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(64 * 1024)])]) {
        const body = multipart(file, 'report.docx');
        const [res, health] = await Promise.all([
          ctx.app.inject({ method: 'POST', url: `/api/attachments?patientId=${patient.id}`, payload: body.payload, headers: { origin: ORIGIN, cookie, 'content-type': body.type } }),
          ctx.app.inject('/health'),
        ]);
        assert.equal(res.statusCode, 415, res.body);
        assert.equal(res.json().code, 'unsupported_file');
        assert.equal(health.statusCode, 200, 'the server keeps answering');
      }
      assert.equal((await ctx.deps.db.selectFrom('attachments').select('id').execute()).length, 0, 'nothing stored');
    });

    it('applies the CSRF Origin check and no-store to percent-encoded API paths', async (t) => {
      const ctx = await build(t, d.name);
      await seedClinic(ctx.deps, 'north');
      const cookie = await staffCookie(ctx.app, 'admin@north.test');
      for (const url of ['/%61pi/canned-replies', '/%61%70%69/canned-replies', '/api/canned-replie%73']) {
        const forged = await ctx.app.inject({ method: 'POST', url, headers: { cookie, 'content-type': 'application/json' }, payload: { title: 'Forged', body: 'x' } });
        assert.equal(forged.statusCode, 403, `${url}: ${forged.body}`);
        assert.equal(forged.json().code, 'bad_origin');
        const foreign = await ctx.app.inject({ method: 'POST', url, headers: { cookie, origin: 'https://evil.example', 'content-type': 'application/json' }, payload: { title: 'Forged', body: 'x' } });
        assert.equal(foreign.statusCode, 403, url);
        const read = await ctx.app.inject({ method: 'GET', url, headers: { cookie } });
        assert.equal(read.headers['cache-control'], 'no-store', `${url} is not cached`);
      }
      const logout = await ctx.app.inject({ method: 'POST', url: '/%61pi/staff/logout', headers: { cookie } });
      assert.equal(logout.statusCode, 403, 'a cross-site page cannot sign the victim out either');
      assert.equal((await ctx.deps.db.selectFrom('canned_replies').select('id').execute()).length, 0, 'nothing was created');
      const ok = await ctx.app.inject({ method: 'POST', url: '/%61pi/canned-replies', headers: { cookie, origin: ORIGIN, 'content-type': 'application/json' }, payload: { title: 'Real', body: 'x' } });
      assert.equal(ok.statusCode, 201, 'with our Origin the encoded path works like the plain one');
    });

    it('answers 404 for a message id that is not the caller’s own (another clinic’s, another patient’s, a colleague’s)', async (t) => {
      const ctx = await build(t, d.name);
      const open = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => [day, [{ start: '00:00', end: '23:59' }]]));
      const tokens: string[] = [];
      const clinics = [];
      for (const slug of ['north', 'south']) {
        const clinic = await seedClinic(ctx.deps, slug);
        clinics.push(clinic);
        const admin = await staffCookie(ctx.app, `admin@${slug}.test`);
        assert.equal((await call(ctx.app, 'PUT', '/api/messaging/settings', { cookie: admin, body: { ...DEFAULT_MESSAGING, hours: open } })).statusCode, 200);
        const p = await seedPatient(ctx.deps, clinic);
        tokens.push(await patientToken(ctx, slug, p.email, p.dateOfBirth));
      }
      const neighbour = await seedPatient(ctx.deps, clinics[0]!, { email: 'neighbour@north.example' });
      const neighbourToken = await patientToken(ctx, 'north', neighbour.email, neighbour.dateOfBirth);
      const thread = { id: randomUUID(), subject: 'Renewal', category: 'prescription', body: 'Please renew my prescription.' };
      const first = await call(ctx.app, 'POST', '/api/patient/threads', { token: tokens[0], body: thread });
      assert.equal(first.statusCode, 201, first.body);
      for (const [who, token] of [['a patient of another clinic', tokens[1]], ['another patient of the clinic', neighbourToken]] as const) {
        const res = await call(ctx.app, 'POST', '/api/patient/threads', { token, body: thread });
        assert.equal(res.statusCode, 404, `${who}: ${res.body}`);
        assert.equal(res.json().code, 'not_found');
      }
      const staff = await staffCookie(ctx.app, 'staff@north.test');
      const reply = await call(ctx.app, 'POST', `/api/threads/${first.json().threadId}/messages`, { cookie: staff, body: { id: thread.id, body: 'Done.' } });
      assert.equal(reply.statusCode, 404, 'a colleague reusing the patient’s message id');
      // The sender's own retry still answers as the first time, and the same id with other content is a conflict.
      assert.equal((await call(ctx.app, 'POST', '/api/patient/threads', { token: tokens[0], body: thread })).statusCode, 200);
      assert.equal((await call(ctx.app, 'POST', '/api/patient/threads', { token: tokens[0], body: { ...thread, body: 'Changed' } })).statusCode, 409);
    });
  });
}
