/**
 * Refuses text that no field may hold: the NUL character (PostgreSQL cannot store it, and it has no
 * business in a name or a message). Checked once for every request, before schema validation.
 */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../domain/errors.js';

function hasNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 20 || value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([k, v]) => k.includes('\u0000') || hasNul(v, depth + 1));
}

/** Installs the check. */
export function registerInputGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    if (hasNul(request.params) || hasNul(request.query) || hasNul(request.body)) {
      throw new AppError(400, 'invalid_characters', 'The request contains a NUL character, which no field accepts');
    }
  });
}
