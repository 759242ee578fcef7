/**
 * Server-Sent Events: a long-lived response that passes on thread events the caller may see. The
 * event carries ids and kinds only; the client fetches the content through the audited API.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EventHub, ThreadEvent } from '../domain/events.js';

const KEEPALIVE_MS = 25_000;

/** Takes over the response and streams the clinic's events that pass `visible`. */
export function streamEvents(request: FastifyRequest, reply: FastifyReply, hub: EventHub, clinicId: string, visible: (e: ThreadEvent) => boolean): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-content-type-options': 'nosniff',
    'x-accel-buffering': 'no', // proxies must not hold events back
  });
  res.write('retry: 3000\n: connected\n\n');
  const unsubscribe = hub.subscribe(clinicId, (e) => {
    if (visible(e)) res.write(`event: ${e.type}\ndata: ${JSON.stringify({ threadId: e.threadId, author: e.author, kind: e.kind })}\n\n`);
  });
  const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
  request.raw.on('close', () => {
    clearInterval(keepalive);
    unsubscribe();
  });
}
