/** The .ics writer on its own: instants on both sides of each daylight-saving change parse back the same, and a zone without DST works. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import ICAL from 'ical.js';
import { calendarText } from '../../server/domain/booking/calendar.js';

function roundTrip(timeZone: string, startIso: string, method: 'REQUEST' | 'CANCEL' = 'REQUEST') {
  const text = calendarText({
    method, timeZone, organizer: { name: 'North Clinic', from: 'Secure Messaging <no-reply@clinic.test>' },
    events: [{ uid: 'appt-1@clinic.test', sequence: 2, start: new Date(startIso), end: new Date(Date.parse(startIso) + 30 * 60_000), summary: 'Appointment', location: '1 Main St', description: 'https://clinic.test', cancelled: method === 'CANCEL' }],
  });
  const comp = new ICAL.Component(ICAL.parse(text));
  for (const tz of comp.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(tz);
  const event = new ICAL.Event(comp.getFirstSubcomponent('vevent')!);
  return { text, event, start: event.startDate.toJSDate().toISOString(), end: event.endDate.toJSDate().toISOString(), method: comp.getFirstPropertyValue('method') };
}

describe('appointment .ics', () => {
  for (const [label, iso, local] of [
    ['the day before spring forward (EST)', '2026-03-07T14:00:00.000Z', '20260307T090000'],
    ['the day of spring forward (EDT)', '2026-03-08T13:00:00.000Z', '20260308T090000'],
    ['summer (EDT)', '2026-07-15T18:30:00.000Z', '20260715T143000'],
    ['the day after fall back (EST)', '2026-11-02T14:00:00.000Z', '20261102T090000'],
  ] as const) {
    it(`writes ${label} under TZID=America/Toronto and parses back to the same instant`, () => {
      const r = roundTrip('America/Toronto', iso);
      assert.ok(r.text.includes(`DTSTART;TZID=America/Toronto:${local}`), r.text);
      assert.equal(r.start, iso);
      assert.equal(r.end, new Date(Date.parse(iso) + 30 * 60_000).toISOString());
      assert.equal(r.event.uid, 'appt-1@clinic.test');
      assert.equal(r.event.sequence, 2);
      assert.match(r.text, /^DTSTAMP:\d{8}T\d{6}Z$/m, 'DTSTAMP in UTC');
    });
  }

  it('writes both 01:30s of the autumn change (the wall clock repeats them) in UTC, so neither is misread', () => {
    for (const iso of ['2026-11-01T05:30:00.000Z', '2026-11-01T06:30:00.000Z']) {
      const r = roundTrip('America/Toronto', iso);
      assert.equal(r.start, iso);
      assert.ok(r.text.includes(`DTSTART:${iso.replace(/[-:]/g, '').replace('.000', '')}`), r.text);
    }
  });

  it('works for a zone without daylight saving (America/Regina) and marks a cancellation', () => {
    const r = roundTrip('America/Regina', '2026-07-15T15:00:00.000Z', 'CANCEL');
    assert.ok(r.text.includes('DTSTART;TZID=America/Regina:20260715T090000'));
    assert.equal(r.start, '2026-07-15T15:00:00.000Z');
    assert.equal(r.method, 'CANCEL');
    assert.equal(r.event.component.getFirstPropertyValue('status'), 'CANCELLED');
  });
});
