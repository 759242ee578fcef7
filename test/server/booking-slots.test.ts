/** The pure slot computation: daylight-saving days in America/Toronto, exceptions, buffers, busy time, notice and horizon. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeSlots, occupiedUnits, rruleDays, weeklyRrule, type SlotInput } from '../../server/domain/booking/slots.js';

const EVERY_DAY = weeklyRrule(['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU']);
const ZONE = 'America/Toronto';

function input(over: Partial<SlotInput> & { hours?: Array<{ rrule?: string; start: string; end: string }>; exceptions?: SlotInput['providers'][0]['exceptions']; busy?: SlotInput['providers'][0]['busy'] }): SlotInput {
  return {
    timeZone: ZONE,
    now: new Date('2026-01-01T12:00:00Z'),
    fromDate: '2026-03-07',
    toDate: '2026-03-08',
    type: { durationMinutes: 60, bufferBeforeMinutes: 0, bufferAfterMinutes: 0 },
    rules: { minNoticeMinutes: 0, horizonDays: 365, slotStepMinutes: 60 },
    providers: [{ id: 'p1', hours: (over.hours ?? [{ start: '09:00', end: '12:00' }]).map((h) => ({ rrule: h.rrule ?? EVERY_DAY, start: h.start, end: h.end })), exceptions: over.exceptions ?? [], busy: over.busy ?? [] }],
    ...over,
  };
}
const starts = (i: SlotInput) => computeSlots(i).map((s) => s.start.toISOString());

describe('open slots (pure)', () => {
  it('keeps 09:00 on the Toronto wall clock on both sides of the spring transition (EST −5, then EDT −4)', () => {
    assert.deepEqual(starts(input({})), [
      '2026-03-07T14:00:00.000Z', '2026-03-07T15:00:00.000Z', '2026-03-07T16:00:00.000Z',
      '2026-03-08T13:00:00.000Z', '2026-03-08T14:00:00.000Z', '2026-03-08T15:00:00.000Z',
    ]);
  });

  it('keeps 09:00 on the wall clock across the autumn transition (EDT −4, then EST −5)', () => {
    assert.deepEqual(starts(input({ fromDate: '2026-10-31', toDate: '2026-11-01', hours: [{ start: '09:00', end: '10:00' }] })), ['2026-10-31T13:00:00.000Z', '2026-11-01T14:00:00.000Z']);
  });

  it('gives a window spanning the spring jump only the hours that exist (01:00–04:00 is two hours)', () => {
    assert.deepEqual(starts(input({ fromDate: '2026-03-08', toDate: '2026-03-08', hours: [{ start: '01:00', end: '04:00' }] })), ['2026-03-08T06:00:00.000Z', '2026-03-08T07:00:00.000Z']);
  });

  it('gives a window spanning the autumn fall-back the hour that repeats (01:00–04:00 is four hours)', () => {
    assert.deepEqual(starts(input({ fromDate: '2026-11-01', toDate: '2026-11-01', hours: [{ start: '01:00', end: '04:00' }] })), [
      '2026-11-01T05:00:00.000Z', '2026-11-01T06:00:00.000Z', '2026-11-01T07:00:00.000Z', '2026-11-01T08:00:00.000Z',
    ]);
  });

  it('follows the RRULE weekdays only', () => {
    const rule = weeklyRrule(['SA']);
    assert.deepEqual(rruleDays(rule), ['SA']);
    assert.deepEqual(starts(input({ hours: [{ rrule: rule, start: '09:00', end: '10:00' }] })), ['2026-03-07T14:00:00.000Z']);
  });

  it('never offers a slot inside an exception, even partly', () => {
    const exceptions = [{ start: new Date('2026-03-07T14:30:00Z'), end: new Date('2026-03-07T15:10:00Z') }];
    assert.deepEqual(starts(input({ toDate: '2026-03-07', exceptions })), ['2026-03-07T16:00:00.000Z']);
  });

  it('never offers a slot whose buffers would touch an existing appointment', () => {
    const busy = [{ start: new Date('2026-03-07T15:00:00Z'), end: new Date('2026-03-07T16:00:00Z') }];
    assert.deepEqual(starts(input({ toDate: '2026-03-07', busy })), ['2026-03-07T14:00:00.000Z', '2026-03-07T16:00:00.000Z'], 'without buffers, back to back is fine');
    const buffered = { durationMinutes: 60, bufferBeforeMinutes: 10, bufferAfterMinutes: 5 };
    assert.deepEqual(starts(input({ toDate: '2026-03-07', busy, type: buffered })), [], 'the 10-minute buffer before 16:00 and the 5 after 14:00 touch the visit at 15:00');
  });

  it('never offers a slot inside the notice window or past the horizon', () => {
    const now = new Date('2026-03-07T13:30:00Z');
    assert.deepEqual(starts(input({ now, toDate: '2026-03-07', rules: { minNoticeMinutes: 120, horizonDays: 365, slotStepMinutes: 60 } })), ['2026-03-07T16:00:00.000Z'], '14:00Z and 15:00Z are within two hours');
    assert.deepEqual(starts(input({ now, rules: { minNoticeMinutes: 0, horizonDays: 1, slotStepMinutes: 60 } })), ['2026-03-07T14:00:00.000Z', '2026-03-07T15:00:00.000Z', '2026-03-07T16:00:00.000Z'], 'one day ahead is 08:30 EDT on the 8th (12:30Z), before its 09:00');
    assert.equal(starts(input({ now, rules: { minNoticeMinutes: 0, horizonDays: 2, slotStepMinutes: 60 } })).length, 6);
  });

  it('steps through the hours and occupies 5-minute units for the visit and its buffers', () => {
    const type = { durationMinutes: 30, bufferBeforeMinutes: 5, bufferAfterMinutes: 10 };
    assert.equal(starts(input({ toDate: '2026-03-07', type, rules: { minNoticeMinutes: 0, horizonDays: 365, slotStepMinutes: 15 } })).length, 11);
    const units = occupiedUnits(new Date('2026-03-07T14:00:00Z'), type);
    assert.equal(units.length, 9);
    assert.equal(units[0], '2026-03-07T13:55:00.000Z');
    assert.equal(units.at(-1), '2026-03-07T14:35:00.000Z');
  });

  it('opens exactly the times that overlap no booking, exception or hold, with hundreds of each in any order (checked against a plain scan)', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const from = Date.parse('2026-03-02T13:00:00Z');
    const ranges = (n: number, maxMinutes: number) =>
      Array.from({ length: n }, () => {
        const start = from + Math.floor(random() * 14 * 24 * 60) * 60_000;
        return { start: new Date(start), end: new Date(start + (5 + Math.floor(random() * maxMinutes)) * 60_000) };
      });
    const busy = ranges(400, 90);
    const exceptions = ranges(30, 600);
    const held = ranges(50, 30);
    const base = input({ fromDate: '2026-03-02', toDate: '2026-03-15', hours: [{ start: '08:00', end: '18:00' }], type: { durationMinutes: 15, bufferBeforeMinutes: 5, bufferAfterMinutes: 10 }, rules: { minNoticeMinutes: 0, horizonDays: 365, slotStepMinutes: 5 } });
    const every = computeSlots(base);
    const overlaps = (a: { start: Date; end: Date }, b: { start: Date; end: Date }) => a.start < b.end && b.start < a.end;
    const expected = every.filter((s) => {
      const occupied = { start: new Date(s.start.getTime() - 5 * 60_000), end: new Date(s.end.getTime() + 10 * 60_000) };
      return !exceptions.some((x) => overlaps(s, x)) && ![...busy, ...held].some((b) => overlaps(occupied, b));
    });
    const got = computeSlots({ ...base, providers: [{ ...base.providers[0]!, busy, exceptions, held }] });
    assert.ok(expected.length > 100 && expected.length < every.length, 'a mix of open and taken times');
    assert.deepEqual(got.map((s) => s.start.toISOString()), expected.map((s) => s.start.toISOString()));
  });
});
