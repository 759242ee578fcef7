/**
 * The clinic's outgoing e-mail and text messages as its admins see them: what is waiting, what failed
 * (with a retry), and to whom by name — never an address, a number or a body. Listing names patients,
 * so the listing is audited like any other read.
 */
import type { OutgoingMail, OutgoingMailQuery } from '../../shared/api.js';
import { runAction, type ActionStore } from './action.js';
import type { ClinicCipher } from './crypto.js';
import { listJobs, retryJob } from './jobs.js';
import type { StaffPrincipal } from './principal.js';

/** The job families listed: e-mail and text messages. */
const OUTGOING = ['mail.', 'sms.'];

/** The clinic's e-mail and text jobs, newest first. */
export async function listOutgoingMail(store: ActionStore, requestId: string | null, cipher: ClinicCipher, who: StaffPrincipal, q: OutgoingMailQuery): Promise<OutgoingMail[]> {
  return runAction(store, who, requestId, async (a) => {
    // "Waiting" includes what a runner is sending right now.
    const status: OutgoingMail['status'][] | undefined = q.status === 'pending' ? ['pending', 'running'] : q.status ? [q.status] : undefined;
    const jobs = await listJobs(a.tx, { clinicId: who.clinicId }, { kindPrefix: OUTGOING, ...(status ? { status } : {}), limit: 200 });
    const patientIds = [...new Set(jobs.map((j) => String(j.payload.patientId ?? '')).filter(Boolean))];
    const staffIds = [...new Set(jobs.map((j) => String(j.payload.staffId ?? '')).filter(Boolean))];
    const names = new Map<string, string>();
    for (const p of patientIds.length ? await a.tx.selectFrom('patients').select(['id', 'details_enc']).where('clinic_id', '=', who.clinicId).where('id', 'in', patientIds).execute() : []) {
      names.set(p.id, (JSON.parse(cipher.decrypt(p.details_enc, 'patient.details')) as { name: string }).name);
    }
    for (const s of staffIds.length ? await a.tx.selectFrom('staff').select(['id', 'name']).where('clinic_id', '=', who.clinicId).where('id', 'in', staffIds).execute() : []) names.set(s.id, s.name);
    a.audit(patientIds.map((id) => ({ action: 'mail.list', patientId: id, target: 'outgoing-mail' })));
    return jobs.map((j) => ({
      id: j.id,
      channel: j.kind.startsWith('sms.') ? ('sms' as const) : ('email' as const),
      kind: j.kind.slice(j.kind.indexOf('.') + 1) as OutgoingMail['kind'],
      recipient: names.get(String(j.payload.patientId ?? j.payload.staffId ?? '')) ?? '',
      status: j.status,
      attempts: j.attempts,
      maxAttempts: j.maxAttempts,
      lastError: j.lastError,
      createdAt: j.createdAt,
      at: j.status === 'pending' || j.status === 'running' ? j.runAt : (j.finishedAt ?? j.runAt),
    }));
  });
}

/** Puts a failed e-mail or text of the clinic back in the queue (the admin's retry button). */
export async function retryOutgoingMail(store: ActionStore, requestId: string | null, who: StaffPrincipal, id: string): Promise<void> {
  await runAction(store, who, requestId, async (a) => {
    const job = await retryJob(a.tx, id, { clinicId: who.clinicId }, OUTGOING);
    a.audit({ action: 'mail.retry', patientId: typeof job.payload.patientId === 'string' ? job.payload.patientId : null, target: `job:${id}` });
    a.jobsChanged();
  });
}
