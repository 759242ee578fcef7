/**
 * The staff digest: for clinics that ask for it, an e-mail to each active staff member with the
 * number of patient conversations waiting for an answer. A count and a link, never content.
 */
import { translate } from '../../shared/i18n.js';
import type { Deps } from '../deps.js';
import { getMessagingSettings } from './messaging-settings.js';

/** Sends one digest per staff member of each opted-in clinic with waiting conversations; returns how many e-mails went out. */
export async function sendStaffDigests(deps: Pick<Deps, 'db' | 'mailer' | 'config'>): Promise<number> {
  let sent = 0;
  const clinics = await deps.db.selectFrom('clinics').select(['id', 'name']).execute();
  for (const clinic of clinics) {
    if (!(await getMessagingSettings(deps.db, clinic.id)).staffDigestEmail) continue;
    const waiting = await deps.db
      .selectFrom('threads')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('clinic_id', '=', clinic.id)
      .where('status', '=', 'open')
      .where('awaiting_reply_since', 'is not', null)
      .executeTakeFirstOrThrow();
    const count = Number(waiting.n);
    if (count === 0) continue;
    const staff = await deps.db.selectFrom('staff').select('email').where('clinic_id', '=', clinic.id).where('disabled_at', 'is', null).execute();
    const vars = { clinic: clinic.name, count, link: `${deps.config.publicUrl.origin}/admin/inbox` };
    // Staff have no language preference on file: one bilingual e-mail.
    const subject = `${translate('en', 'mail.digest.subject', vars)} / ${translate('fr', 'mail.digest.subject', vars)}`;
    const text = `${translate('en', 'mail.digest.body', vars)}\n\n---\n\n${translate('fr', 'mail.digest.body', vars)}`;
    for (const s of staff) {
      await deps.mailer.send({ clinicId: clinic.id, to: s.email, subject, text });
      sent++;
    }
  }
  return sent;
}
