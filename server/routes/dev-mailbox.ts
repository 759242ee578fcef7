/**
 * The development mailbox: e-mail kept instead of sent when no SMTP server is configured (never in
 * production). It shows live sign-in codes, so only administrators read it, and every read is audited.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorBody, MailItem } from '../../shared/api.js';
import type { Deps } from '../deps.js';
import { recordAudit } from '../domain/audit.js';
import { AppError } from '../domain/errors.js';
import { listDevMail } from '../domain/mail.js';
import { requireStaff, staffOf } from '../http/auth.js';

export const devMailboxRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get(
    '/api/dev/mailbox',
    { onRequest: requireStaff(deps, ['admin']), schema: { tags: ['dev'], summary: 'Development mailbox (administrators; only without SMTP_URL, never in production)', response: { 200: Type.Array(MailItem), 401: ErrorBody, 403: ErrorBody, 404: ErrorBody } } },
    async (request) => {
      if (!deps.mailer.devMailbox) throw new AppError(404, 'not_found', 'The development mailbox is off because SMTP_URL is set');
      const who = staffOf(request);
      const mail = await listDevMail(deps.db, deps.keyring, who.clinicId);
      await recordAudit(deps, who, request.id, { action: 'dev-mailbox.read', target: `mail:${mail.length}` });
      return mail;
    },
  );
};
