import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { describeRefusal, isKnownRefusal } from '../../shared/error-text.js';
import { translate } from '../../shared/i18n-all.js';
import { formatClock, formatDateTime, formatIn, translatePlural } from '../../shared/intl.js';
import { LANGS } from '../../shared/lang.js';

/** The code of every AppError thrown in the files a patient's request can run through. */
function patientSideCodes(): string[] {
  const root = path.resolve(import.meta.dirname, '../../server');
  const files = [
    ...['threads', 'attachments', 'patients', 'patient-sign-in', 'rate-limits', 'sessions', 'errors'].map((f) => `domain/${f}.ts`),
    ...fs.readdirSync(path.join(root, 'http')).map((f) => `http/${f}`),
    'routes/messaging-patient.ts',
    'routes/patient-auth.ts',
  ];
  const codes = new Set<string>();
  for (const f of files) {
    const file = path.join(root, f);
    if (!fs.existsSync(file)) continue;
    for (const m of fs.readFileSync(file, 'utf8').matchAll(/(?:new AppError\(\s*\d+,\s*|code: )'([a-z_]+)'/g)) codes.add(m[1]!);
  }
  return [...codes];
}

/**
 * Codes only staff routes produce (assigning a conversation, enrolling a patient, paging the inbox,
 * the staff session's two-factor requirement); `internal` is the generic sentence by design.
 */
const STAFF_ONLY = new Set(['unknown_staff', 'email_taken', 'invalid_cursor', 'two_factor_required', 'internal']);

describe('refusals worded by code', () => {
  it('has a sentence of its own, in English and French, for every code a patient route can answer with', () => {
    const codes = patientSideCodes().filter((c) => !STAFF_ONLY.has(c));
    assert.ok(codes.length > 20, `found ${codes.length} codes`);
    assert.deepEqual(codes.filter((c) => !isKnownRefusal(c)), [], 'codes without a wording');
    for (const code of codes) {
      for (const lang of LANGS) {
        const text = describeRefusal(lang, { code });
        assert.notEqual(text, translate(lang, 'common.error'), `${code} in ${lang} is generic`);
        assert.doesNotMatch(text, /\{\w+\}/, `${code} in ${lang} leaves a placeholder`);
      }
    }
  });

  it('words parameters: plurals, sizes, instants in the clinic’s zone, waits', () => {
    assert.equal(describeRefusal('fr', { code: 'weekly_quota', params: { limit: 1 } }), 'Vous pouvez commencer 1 nouvelle conversation par semaine avec cette clinique. Vous pouvez toujours répondre à vos conversations.');
    assert.equal(describeRefusal('en', { code: 'weekly_quota', params: { limit: 3 } }), 'You can start 3 new conversations a week with this clinic. You can still reply to your conversations.');
    assert.match(describeRefusal('fr', { code: 'weekly_quota', params: { limit: 2, resetsAt: '2026-12-01T14:30:00.000Z' } }, { timeZone: 'America/Toronto' }), /Vous pourrez en commencer une autre à partir du mardi 1 décembre à 9 h 30( HNE)?\.$/);
    assert.match(describeRefusal('en', { code: 'outside_hours', params: { nextOpening: '2026-11-30T14:00:00.000Z' } }, { timeZone: 'America/Toronto' }), /from Monday, November 30 at 9:00\sa\.m\.( EST)?\.$/);
    assert.match(describeRefusal('fr', { code: 'file_too_large', params: { maxMb: 10 } }), /^Chaque fichier peut faire au plus 10\sMo\.$/);
    assert.equal(describeRefusal('fr', { code: 'too_long', params: { chars: 1200, max: 1000 } }).replace(/\s/g, ' '), 'Cette clinique accepte au plus 1 000 caractères par message; le vôtre en compte 1 200.');
    assert.equal(describeRefusal('fr', { code: 'rate_limited', params: { retryAfterSeconds: 61 } }), 'Trop de tentatives. Réessayez dans 2 minutes.');
    assert.equal(describeRefusal('fr', { code: 'no_such_code' }), 'Une erreur est survenue. Veuillez réessayer.');
    assert.equal(describeRefusal('en', { code: 'weekly_quota', params: { limit: 'x' } }), translate('en', 'error.weekly_quota.unknown'), 'parameters of the wrong type are ignored');
  });

  it('keeps one clock style per language and never shows seconds', () => {
    assert.match(formatClock('en', '17:00'), /^5:00\sp\.m\.$/);
    assert.equal(formatClock('fr', '09:00').replace(/\s/g, ' '), '9 h 00');
    assert.doesNotMatch(formatDateTime('fr', '2026-11-30T14:00:05.000Z', 'America/Toronto'), /:\d\d:|05/);
    assert.equal(formatIn('en', 3600 * 5), 'in 5 hours');
    assert.equal(translatePlural('fr', 'msg.unread', 0), '0 non lu', 'French counts zero as singular');
  });
});
