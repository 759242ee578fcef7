import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../server/config.js';
import { Keyring, loadOrCreateMasterKey } from '../../server/domain/crypto.js';
import { randomBytes } from 'node:crypto';

describe('configuration', () => {
  it('has working embedded defaults', () => {
    const c = loadConfig({});
    assert.equal(c.port, 3000);
    assert.equal(c.demoPort, 3001);
    assert.equal(c.databaseUrl, null);
    assert.equal(c.smtpUrl, null);
    assert.equal(c.publicUrl.origin, 'http://localhost:3000');
    assert.equal(c.dataDir, path.resolve('data'));
  });

  it('stops with a message naming the bad variable', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ PORT: 'eighty' }, /^PORT must be a port number/],
      [{ PORT: '70000' }, /^PORT/],
      [{ PUBLIC_URL: 'not a url' }, /^PUBLIC_URL is not a valid URL/],
      [{ PUBLIC_URL: 'ftp://x.example' }, /^PUBLIC_URL must start with http:\/\/ or https:\/\//],
      [{ PUBLIC_URL: 'https://x.example/app' }, /^PUBLIC_URL must be an origin/],
      [{ DATABASE_URL: 'mysql://u:secret@db/x' }, /^DATABASE_URL must start with postgres/],
      [{ SMTP_URL: 'http://mail' }, /^SMTP_URL must start with smtp/],
      [{ MASTER_KEY: 'too-short' }, /^MASTER_KEY must be 32 bytes/],
      [{ TRUST_PROXY: 'true' }, /^TRUST_PROXY must be the number of proxies/],
      [{ TRUST_PROXY: '1, evil' }, /^TRUST_PROXY/],
      [{ NODE_ENV: 'production' }, /^SMTP_URL is required when NODE_ENV=production/],
      [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be one of/],
      [{ DEMO_PORT: '-1' }, /^DEMO_PORT/],
    ];
    for (const [env, message] of cases) assert.throws(() => loadConfig(env), (e: Error) => e instanceof ConfigError && message.test(e.message), JSON.stringify(env));
  });

  it('trusts a number of proxy hops or a list of proxy addresses, never every address', () => {
    assert.equal(loadConfig({}).trustProxy, false);
    assert.equal(loadConfig({ TRUST_PROXY: '2' }).trustProxy, 2);
    assert.deepEqual(loadConfig({ TRUST_PROXY: '10.0.0.5, 10.1.0.0/16' }).trustProxy, ['10.0.0.5', '10.1.0.0/16']);
    assert.equal(loadConfig({ NODE_ENV: 'production', SMTP_URL: 'smtp://mail.example' }).production, true);
  });

  it('never repeats a database password in its message', () => {
    assert.throws(() => loadConfig({ DATABASE_URL: 'postgres://u:hunter2@bad host/db' }), (e: Error) => !e.message.includes('hunter2'));
  });

  it('accepts a master key in hex or base64', () => {
    const key = randomBytes(32);
    assert.deepEqual(loadConfig({ MASTER_KEY: key.toString('hex') }).masterKey, key);
    assert.deepEqual(loadConfig({ MASTER_KEY: key.toString('base64') }).masterKey, key);
  });
});

describe('encryption at rest', () => {
  it('generates a master key file readable by the owner only, and reuses it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sm-key-'));
    const first = loadOrCreateMasterKey(null, dir)!;
    assert.equal(first.source, 'generated');
    assert.equal(fs.statSync(first.file!).mode & 0o777, 0o600);
    const second = loadOrCreateMasterKey(null, dir)!;
    assert.equal(second.source, 'file');
    assert.deepEqual(second.key, first.key);
  });

  it('round-trips, and refuses tampered data, another clinic’s key and another purpose', () => {
    const keyring = new Keyring(randomBytes(32));
    const a = keyring.forClinic('a', keyring.newWrappedKey('a'));
    const b = keyring.forClinic('b', keyring.newWrappedKey('b'));
    const sealed = a.encrypt('Allergic to penicillin', 'patient.details');
    assert.equal(a.decrypt(sealed, 'patient.details'), 'Allergic to penicillin');
    assert.notEqual(a.encrypt('same', 'p'), a.encrypt('same', 'p'), 'a fresh IV every time');
    assert.throws(() => b.decrypt(sealed, 'patient.details'));
    assert.throws(() => a.decrypt(sealed, 'message.body'));
    const raw = Buffer.from(sealed.slice(3), 'base64');
    raw[raw.length - 1]! ^= 1;
    assert.throws(() => a.decrypt(`v1.${raw.toString('base64')}`, 'patient.details'));
    assert.throws(() => new Keyring(randomBytes(32)).forClinic('a', keyring.newWrappedKey('a')), 'a wrapped key opens only with its master key');
  });
});
