/**
 * The timing client of the scale benchmark, run as its own process so the server's event loop is not
 * the client's: `tsx bench/probe.ts '<json options>'` GETs each URL `warmup` times untimed, then
 * `rounds` times in turn (one request at a time), and prints every latency in milliseconds as JSON.
 */
export {};

const opts = JSON.parse(process.argv[2] ?? '{}') as { urls: string[]; headers: Record<string, string>; warmup: number; rounds: number };

async function get(url: string): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url, { headers: opts.headers });
  await res.arrayBuffer();
  const ms = performance.now() - t0;
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return ms;
}

for (const url of opts.urls) for (let i = 0; i < opts.warmup; i++) await get(url);
const times: number[][] = opts.urls.map(() => []);
// Alternating rounds: a slow moment of the machine lands on every URL, not on one.
for (let r = 0; r < opts.rounds; r++) for (const [i, url] of opts.urls.entries()) times[i]!.push(await get(url));
process.stdout.write(JSON.stringify(times) + '\n');
