import assert from 'node:assert/strict';
import { constants, createPrivateKey, createPublicKey, privateDecrypt, publicEncrypt } from 'node:crypto';
import { describe, it } from 'node:test';
import { forgetEndedSessionKeys } from '../../server/domain/sessions.js';
import { DIALECTS, build, call, patientToken, seedClinic, seedPatient, staffCookie } from './helpers.js';

const OAEP = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' };

for (const d of DIALECTS) {
  describe(`device keys (${d.name})`, { skip: d.skip }, () => {
    it('gives one working key pair per session, only to that session, encrypted at rest, audited', async (t) => {
      const ctx = await build(t, d.name);
      const clinic = await seedClinic(ctx.deps, 'north');
      const patient = await seedPatient(ctx.deps, clinic);
      const token = await patientToken(ctx, 'north', patient.email, patient.dateOfBirth);

      const first = await call(ctx.app, 'POST', '/api/patient/device-key', { token });
      assert.equal(first.statusCode, 200, first.body);
      assert.equal(first.headers['cache-control'], 'no-store');
      const keys = first.json();
      const again = (await call(ctx.app, 'POST', '/api/patient/device-key', { token })).json();
      assert.deepEqual(again, keys, 'the same pair for the life of the session');

      const sealed = publicEncrypt({ key: createPublicKey({ key: Buffer.from(keys.publicKey, 'base64'), format: 'der', type: 'spki' }), ...OAEP }, Buffer.from('queued message'));
      const opened = privateDecrypt({ key: createPrivateKey({ key: Buffer.from(keys.privateKey, 'base64'), format: 'der', type: 'pkcs8' }), ...OAEP }, sealed);
      assert.equal(opened.toString(), 'queued message');

      const row = await ctx.deps.db.selectFrom('device_keys').selectAll().executeTakeFirstOrThrow();
      assert.equal(row.private_key_enc.includes(keys.privateKey.slice(0, 40)), false, 'the private half is encrypted at rest');

      const otherToken = await patientToken(ctx, 'north', patient.email, patient.dateOfBirth);
      const other = (await call(ctx.app, 'POST', '/api/patient/device-key', { token: otherToken })).json();
      assert.notEqual(other.keyId, keys.keyId, 'another sign-in (another device) gets its own pair');

      assert.equal((await call(ctx.app, 'POST', '/api/patient/device-key')).statusCode, 401);
      const audited = await ctx.deps.db.selectFrom('audit_log').select('target').where('action', '=', 'device-key.release').execute();
      assert.equal(audited.length, 3);
    });

    it('forgets the pair when the session ends: sign-out, staff disabled, idle or expired sessions', async (t) => {
      const ctx = await build(t, d.name);
      const clinic = await seedClinic(ctx.deps, 'north');
      const patient = await seedPatient(ctx.deps, clinic);
      const token = await patientToken(ctx, 'north', patient.email, patient.dateOfBirth);
      const before = (await call(ctx.app, 'POST', '/api/patient/device-key', { token })).json();
      assert.equal((await call(ctx.app, 'POST', '/api/patient/logout', { token })).statusCode, 204);
      assert.equal((await ctx.deps.db.selectFrom('device_keys').select('key_id').execute()).length, 0, 'sign-out deletes it');
      assert.equal((await call(ctx.app, 'POST', '/api/patient/device-key', { token })).statusCode, 401);

      const admin = await staffCookie(ctx.app, 'admin@north.test');
      const staff = await staffCookie(ctx.app, 'staff@north.test');
      const staffKeys = await call(ctx.app, 'POST', '/api/staff/device-key', { cookie: staff });
      assert.equal(staffKeys.statusCode, 200);
      assert.notEqual(staffKeys.json().keyId, before.keyId);
      const staffId = (await call(ctx.app, 'GET', '/api/staff/me', { cookie: staff })).json().staff.id;
      const disable = await call(ctx.app, 'PATCH', `/api/staff/${staffId}`, { cookie: admin, body: { disabled: true } });
      assert.equal(disable.statusCode, 200, disable.body);
      assert.equal((await ctx.deps.db.selectFrom('device_keys').select('key_id').execute()).length, 0, 'disabling a staff member deletes theirs');

      const idle = await patientToken(ctx, 'north', patient.email, patient.dateOfBirth);
      await call(ctx.app, 'POST', '/api/patient/device-key', { token: idle });
      assert.equal(await forgetEndedSessionKeys(ctx.deps.db), 0, 'a live session keeps its pair');
      assert.equal(await forgetEndedSessionKeys(ctx.deps.db, new Date(Date.now() + 31 * 60_000)), 1, 'an idle session loses it');
    });
  });
}
