import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../../server/cli.js';
import { build, call, DIALECTS, staffCookie } from './helpers.js';

for (const d of DIALECTS) {
  describe(`operators' CLI (${d.name})`, { skip: d.skip }, () => {
    it('creates a clinic, adds an admin who can sign in, and resets the password', async (t) => {
      const { app, deps } = await build(t, d.name);
      assert.match(await runCli(deps, ['create-clinic', '--slug', 'lakeside', '--name', 'Lakeside Clinic', '--origin', 'https://lakeside.example/path']), /Created/);
      const clinic = await deps.db.selectFrom('clinics').selectAll().where('slug', '=', 'lakeside').executeTakeFirstOrThrow();
      assert.equal(clinic.allowed_origins, '["https://lakeside.example"]');
      await runCli(deps, ['add-staff', '--clinic', 'lakeside', '--email', 'boss@lakeside.example', '--name', 'Boss', '--role', 'admin', '--password', 'first password 123']);
      const cookie = await staffCookie(app, 'boss@lakeside.example', 'first password 123');
      assert.match(await runCli(deps, ['reset-password', '--email', 'boss@lakeside.example', '--password', 'second password 456']), /sessions were ended/);
      assert.equal((await call(app, 'GET', '/api/staff/me', { cookie })).statusCode, 401);
      await staffCookie(app, 'boss@lakeside.example', 'second password 456');
    });

    it('explains bad input', async (t) => {
      const { deps } = await build(t, d.name);
      await assert.rejects(runCli(deps, ['create-clinic', '--name', 'No slug']), /--slug is required/);
      await assert.rejects(runCli(deps, ['create-clinic', '--slug', 'Bad Slug!', '--name', 'X']), /slug/);
      await assert.rejects(runCli(deps, ['add-staff', '--clinic', 'none', '--email', 'a@b.c', '--name', 'A', '--role', 'boss', '--password', 'x']), /--role must be one of/);
      await assert.rejects(runCli(deps, ['frobnicate']), /Unknown command/);
      await runCli(deps, ['create-clinic', '--slug', 'lakeside', '--name', 'Lakeside']);
      await assert.rejects(runCli(deps, ['create-clinic', '--slug', 'lakeside', '--name', 'Lakeside']), /already exists/);
      await assert.rejects(runCli(deps, ['add-staff', '--clinic', 'lakeside', '--email', 'a@b.ca', '--name', 'A', '--role', 'staff', '--password', 'short']), /at least 12/);
    });
  });
}
