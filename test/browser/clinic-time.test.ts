import { expect } from '@open-wc/testing';
import { clinicInstant } from '../../admin/clinic-time.js';

describe('clinicInstant', () => {
  it('turns a clinic wall-clock time into its instant, in winter and in summer', () => {
    expect(clinicInstant('America/Toronto', '2026-01-05', 9, 0)).to.equal('2026-01-05T14:00:00.000Z');
    expect(clinicInstant('America/Toronto', '2026-07-01', 10, 15)).to.equal('2026-07-01T14:15:00.000Z');
    expect(clinicInstant('America/Vancouver', '2026-07-01', 23, 45)).to.equal('2026-07-02T06:45:00.000Z');
    expect(clinicInstant('Asia/Kolkata', '2026-01-05', 9, 0)).to.equal('2026-01-05T03:30:00.000Z');
  });

  it('on the daylight-saving days: a skipped time lands an hour later, a repeated one is its first', () => {
    expect(clinicInstant('America/Toronto', '2026-03-08', 2, 30)).to.equal('2026-03-08T07:30:00.000Z'); // 3:30 EDT
    expect(clinicInstant('America/Toronto', '2026-03-08', 3, 0)).to.equal('2026-03-08T07:00:00.000Z');
    expect(clinicInstant('America/Toronto', '2026-11-01', 1, 30)).to.equal('2026-11-01T05:30:00.000Z'); // 1:30 EDT
    expect(clinicInstant('America/Toronto', '2026-11-01', 2, 0)).to.equal('2026-11-01T07:00:00.000Z');
  });
});
