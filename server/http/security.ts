/**
 * Headers and checks that apply to every response: a strict CSP (no inline script), no sniffing,
 * no referrer, HSTS over https, and an Origin check on every state-changing API request (CSRF).
 */
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../deps.js';
import { AppError } from '../domain/errors.js';

/** The CSP directives every page shares; `frameAncestors` decides who may embed it. */
export function contentSecurityPolicy(frameAncestors: string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // Lit adopts constructed stylesheets; older engines fall back to <style> tags, hence 'unsafe-inline' for styles only.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "frame-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${frameAncestors.length ? frameAncestors.join(' ') : "'none'"}`,
  ].join('; ');
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The path part of a URL, percent-decoded as the router sees it (undecodable input stays as it is). */
function decodedPath(url: string): string {
  const path = url.split('?')[0]!;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** Registers helmet and the CSRF Origin check. */
export async function registerSecurity(app: FastifyInstance, deps: Deps): Promise<void> {
  const https = deps.config.publicUrl.protocol === 'https:';
  await app.register(helmet, {
    contentSecurityPolicy: false, // set below, so routes (frame pages) can change frame-ancestors
    crossOriginEmbedderPolicy: false,
    crossOriginResourcePolicy: { policy: 'same-origin' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: https ? { maxAge: 31536000, includeSubDomains: true } : false,
    xFrameOptions: { action: 'sameorigin' }, // frame pages replace it with frame-ancestors
  });
  const defaultCsp = contentSecurityPolicy(["'self'"]);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('content-security-policy', defaultCsp);
    reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=(), payment=()');
    // The router decodes the path (`/%61pi/…` is `/api/…`), so these checks look at the decoded path too.
    if (decodedPath(request.url).startsWith('/api/')) reply.header('cache-control', 'no-store');
    // Every state-changing request, whatever its path: nothing on this origin takes a write without it.
    if (STATE_CHANGING.has(request.method)) {
      // Browsers always send Origin on these; a missing or foreign one is a cross-site forgery attempt.
      const origin = request.headers.origin;
      if (origin !== deps.config.publicUrl.origin) {
        throw new AppError(403, 'bad_origin', 'This request must come from the Secure Messaging site itself');
      }
    }
  });
}
