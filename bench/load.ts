/**
 * The load generator for the send benchmark, run as its own process so its CPU is not the server's:
 * `tsx bench/load.ts '<json options>'` POSTs a fresh message id with each request and prints
 * autocannon's figures as one JSON line.
 */
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';

const opts = JSON.parse(process.argv[2] ?? '{}') as { url: string; headers: Record<string, string>; body: string; connections: number; duration?: number; amount?: number };
const result = await autocannon({
  url: opts.url,
  method: 'POST',
  connections: opts.connections,
  ...(opts.amount ? { amount: opts.amount } : { duration: opts.duration ?? 5 }),
  headers: { ...opts.headers, 'content-type': 'application/json' },
  requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify({ id: randomUUID(), body: opts.body }) }) }],
});
process.stdout.write(JSON.stringify({ rps: result.requests.average, ok: result['2xx'], other: result.non2xx, errors: result.errors, p50: result.latency.p50, p99: result.latency.p99 }) + '\n');
