/** The development mailbox: e-mail kept instead of sent when no SMTP server is configured. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorBody, MailItem } from '../../shared/api.js';
import type { Deps } from '../deps.js';
import { AppError } from '../domain/errors.js';
import { listDevMail } from '../domain/mail.js';
import { requireStaff, staffOf } from '../http/auth.js';

export const devMailboxRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get(
    '/api/dev/mailbox',
    { preHandler: requireStaff(deps), schema: { tags: ['dev'], summary: 'Development mailbox (only without SMTP_URL)', response: { 200: Type.Array(MailItem), 401: ErrorBody, 404: ErrorBody } } },
    async (request) => {
      if (!deps.mailer.devMailbox) throw new AppError(404, 'not_found', 'The development mailbox is off because SMTP_URL is set');
      return listDevMail(deps.db, staffOf(request).clinicId);
    },
  );
};
