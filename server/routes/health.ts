/** GET /health: is the server up and can it reach its database. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Health } from '../../shared/api.js';
import { isReachable } from '../db/connect.js';
import type { Deps } from '../deps.js';

export const healthRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get('/health', { schema: { tags: ['infra'], summary: 'Liveness and database reachability', response: { 200: Health, 503: Health } } }, async (_req, reply) => {
    const reachable = await isReachable(deps.db);
    return reply
      .status(reachable ? 200 : 503)
      .send({ status: reachable ? 'ok' : 'degraded', database: reachable ? 'reachable' : 'unreachable', dialect: deps.dialect });
  });
};
