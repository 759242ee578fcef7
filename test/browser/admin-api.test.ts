/**
 * The staff API clients (msw): a 401 from any area's call (AdminApi, booking, responses) tells the
 * shell the session ended, once; a 403 asking for a second factor is noticed by AdminApi's own calls.
 */
import { expect } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import { AdminApi } from '../../admin/admin-api.js';
import { BookingAdminApi } from '../../admin/booking-api.js';
import { ResponsesAdminApi } from '../../admin/questionnaires/response-api.js';
import { ApiError } from '../../shared/fetch-json.js';
import { startWorker, worker } from './msw.js';

const ended = () => HttpResponse.json({ code: 'unauthenticated', message: '' }, { status: 401 });
/** A client that counts the times it told the shell the session ended. */
function watched() {
  const api = new AdminApi();
  let endings = 0;
  api.onSessionEnded = () => void endings++;
  return { api, endings: () => endings };
}

describe('AdminApi.call', () => {
  before(startWorker);
  afterEach(() => worker.resetHandlers());

  it('tells the shell the session ended when a booking or responses call answers 401', async () => {
    worker.use(http.get('/api/booking/rules', ended), http.get('/api/questionnaire-responses/r1/print', ended));
    const { api, endings } = watched();
    const booking = await new BookingAdminApi(api).rules().catch((e: unknown) => e);
    expect(booking).to.be.instanceOf(ApiError);
    expect(endings()).to.equal(1);
    const print = await new ResponsesAdminApi(api).print('r1').catch((e: unknown) => e);
    expect((print as ApiError).status).to.equal(401);
    expect(endings()).to.equal(2);
  });

  it('passes other refusals on without ending the session', async () => {
    worker.use(http.get('/api/booking/rules', () => HttpResponse.json({ code: 'forbidden', message: '' }, { status: 403 })));
    const { api, endings } = watched();
    const err = await new BookingAdminApi(api).rules().catch((e: unknown) => e);
    expect((err as ApiError).status).to.equal(403);
    expect(endings()).to.equal(0);
  });

  it("notices a second factor is required on AdminApi's own calls", async () => {
    worker.use(http.get('/api/clinic', () => HttpResponse.json({ code: 'two_factor_required', message: '' }, { status: 403 })));
    const api = new AdminApi();
    let asked = 0;
    api.onTwoFactorRequired = () => void asked++;
    await api.clinic().catch(() => undefined);
    expect(asked).to.equal(1);
  });
});
