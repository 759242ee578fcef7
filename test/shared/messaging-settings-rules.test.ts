import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeRefusal } from '../../shared/error-text.js';
import { categoryIdFrom, checkMessagingSettings } from '../../shared/messaging-settings-rules.js';
import { DEFAULT_MESSAGING } from '../../server/domain/messaging-settings.js';

const fields = (patch: Partial<typeof DEFAULT_MESSAGING>) => checkMessagingSettings({ ...DEFAULT_MESSAGING, ...patch }).map((p) => `${p.field} ${p.code}`);

describe('the messaging rules check (admin form and server)', () => {
  it('accepts the defaults', () => {
    assert.deepEqual(checkMessagingSettings(DEFAULT_MESSAGING), []);
  });

  it('names the range that ends before it starts, and the later of two overlapping ranges', () => {
    const hours = { ...DEFAULT_MESSAGING.hours, mon: [{ start: '13:00', end: '17:00' }, { start: '09:00', end: '13:30' }], thu: [{ start: '17:00', end: '17:00' }] };
    assert.deepEqual(fields({ hours }), ['hours.mon.0.start ranges_overlap', 'hours.thu.0.end range_end_before_start']);
    assert.deepEqual(fields({ hours: { ...DEFAULT_MESSAGING.hours, tue: [{ start: '', end: '17:00' }] } }), ['hours.tue.0.start time_required']);
  });

  it('refuses impossible and repeated closure dates, limits out of range and blank names', () => {
    assert.deepEqual(fields({ closures: ['2026-02-30', '2026-12-25', '2026-12-25'] }), ['closures.0 date_required', 'closures.2 duplicate_closure']);
    assert.deepEqual(fields({ maxChars: 49, weeklyThreadQuota: null, attachmentMaxMb: Number.NaN }), ['maxChars number_out_of_range', 'attachmentMaxMb number_out_of_range']);
    assert.deepEqual(fields({ categories: [{ id: 'Bad id', en: ' ', fr: 'x' }] }), ['categories.0.id invalid_category_id', 'categories.0.en text_required']);
    assert.deepEqual(fields({ categories: [] }), ['categories categories_required']);
  });

  it('refuses an unknown time zone and an empty emergency notice', () => {
    assert.deepEqual(fields({ timeZone: 'Mars/Olympus', emergencyNotice: { en: 'Call 911.', fr: '\n' } }), ['timeZone invalid_time_zone', 'emergencyNotice.fr emergency_notice_required']);
  });

  it('makes a category code from an English name', () => {
    assert.equal(categoryIdFrom('  Lab Réquisition / Forms! '), 'lab-requisition-forms');
    assert.equal(categoryIdFrom('x'.repeat(39) + ' y'), 'x'.repeat(39));
  });

  it('words each problem in French with its parameters', () => {
    assert.equal(describeRefusal('fr', { code: 'range_end_before_start', params: { day: 'tue', start: '17:00', end: '09:00' } }), 'Finit à 9 h 00, avant son début à 17 h 00. Choisissez une heure de fin plus tardive.');
    assert.match(describeRefusal('fr', { code: 'number_out_of_range', params: { min: 50, max: 20000 } }), /^Entrez un nombre entier de 50 à 20\s000\.$/u, 'French digit grouping');
    assert.equal(describeRefusal('en', { code: 'duplicate_category', params: { id: 'forms' } }), 'Another category already uses the code “forms”.');
  });
});
