/**
 * Offline questionnaires end to end (Chromium): the patient answers GAD-7 on the clinic's site with
 * the network down (saved on the device), submits (queued), and once back online the submit reaches
 * the server exactly once, even when the answer to the first delivery is lost on the way back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_SLUG } from '../../server/demo-seed.js';
import { getClinicBySlug } from '../../server/domain/clinics.js';
import { newPage, patientSignsIn, startHarness, type Harness } from './harness.js';

const GAD7 = 'Generalized Anxiety Disorder (GAD-7)';

describe('end to end: a questionnaire submitted offline', { timeout: 120_000 }, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h?.close());

  /** A physician assigns GAD-7 to the demo patient through the API; returns the assignment id. */
  async function assignGad7(): Promise<string> {
    const staff = h.product.demoLogins!.find((l) => l.role === 'physician')!;
    const base = h.product.publicUrl;
    const login = await fetch(`${base}/api/staff/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: base }, body: JSON.stringify({ email: staff.email, password: staff.password }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const list = (await (await fetch(`${base}/api/questionnaires`, { headers: { cookie } })).json()) as Array<{ id: string; title: string }>;
    const gad7 = list.find((q) => q.title === GAD7)!;
    const clinic = await getClinicBySlug(h.product.deps.db, DEMO_SLUG);
    const patient = await h.product.deps.db.selectFrom('patients').select('id').where('clinic_id', '=', clinic.id).executeTakeFirstOrThrow();
    const res = await fetch(`${base}/api/questionnaires/${gad7.id}/assignments`, { method: 'POST', headers: { 'content-type': 'application/json', origin: base, cookie }, body: JSON.stringify({ patientIds: [patient.id] }) });
    const body = await res.text();
    assert.equal(res.status, 201, body);
    return (JSON.parse(body) as { ids: string[] }).ids[0]!;
  }

  it('answers and submits with no network; after reconnecting the clinic has the answers once', async () => {
    const assignmentId = await assignGad7();
    const page = await newPage(h.browser, { serviceWorkers: 'block' });
    await patientSignsIn(h, page);
    const frame = page.frameLocator('sm-questionnaire iframe');
    await frame.getByRole('button', { name: new RegExp(GAD7.replace(/[()]/g, '.')) }).press('Enter');
    await frame.getByRole('heading', { name: GAD7 }).waitFor();

    await page.context().setOffline(true);
    // By keyboard: the frame grows as it saves, moving pointer targets.
    for (const answer of await frame.getByRole('radio', { name: 'Several days' }).all()) await answer.press('Space');
    await frame.getByText('Saved on this device.').waitFor();
    await frame.getByRole('button', { name: 'Submit my answers' }).press('Enter');
    await frame.getByText("Will be sent when you're back online.").first().waitFor();
    const responses = () => h.product.deps.db.selectFrom('questionnaire_responses').select(['status', 'submit_id']).where('assignment_id', '=', assignmentId).execute();
    assert.deepEqual(await responses(), [], 'nothing reached the server yet');

    // The first delivery reaches the server, but its answer is lost on the way back: the retry is the same submit.
    let dropped = 0;
    await page.context().route('**/api/patient/questionnaires/*/submit', async (route) => {
      if (dropped === 0) {
        dropped++;
        await route.fetch();
        return route.abort('connectionreset');
      }
      return route.continue();
    });
    await page.context().setOffline(false);
    await frame.locator('p.thanks', { hasText: 'Sent. Your answers reached the clinic.' }).waitFor({ timeout: 30_000 });
    assert.equal(dropped, 1, 'the connection really dropped once');
    const stored = await responses();
    assert.equal(stored.length, 1, 'one response');
    assert.equal(stored[0]!.status, 'completed');
    assert.ok(stored[0]!.submit_id, 'stored with the id the device gave it');
    const audits = await h.product.deps.db.selectFrom('audit_log').select('action').where('action', '=', 'questionnaire.submit').where('patient_id', 'is not', null).execute();
    assert.equal(audits.length, 1, 'submitted once');
    await frame.getByText('You submitted this questionnaire on').waitFor();
    await page.context().close();
  });
});
