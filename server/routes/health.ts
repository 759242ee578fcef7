/** GET /health: is the server up, can it reach and write its database, and is mail flowing. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Health } from '../../shared/api.js';
import { isReachable } from '../db/connect.js';
import type { Deps } from '../deps.js';
import { jobCounts } from '../domain/jobs.js';

export const healthRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get('/health', { schema: { tags: ['infra'], summary: 'Liveness, database reachability, storage and queue state', response: { 200: Health, 503: Health } } }, async (_req, reply) => {
    const storage = await deps.storage.check(deps.db);
    const jobs = storage.ok ? await jobCounts(deps.db).catch(() => null) : null;
    const disk = deps.dialect === 'sqlite' ? await deps.storage.freeBytes(deps.config.dataDir) : undefined;
    const ok = storage.ok && jobs !== null;
    reply.header('cache-control', 'no-store');
    return reply.status(ok ? 200 : 503).send({
      status: ok ? 'ok' : 'degraded',
      database: storage.ok || (await isReachable(deps.db)) ? 'reachable' : 'unreachable',
      storage: storage.ok ? 'ok' : 'unavailable',
      ...(storage.code ? { storageError: storage.code } : {}),
      dialect: deps.dialect,
      ...(disk !== undefined ? { diskFreeBytes: disk } : {}),
      jobs: { pending: jobs?.pending ?? 0, failed: jobs?.failed ?? 0 },
    });
  });
};
