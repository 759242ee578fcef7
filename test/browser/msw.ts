/** Starts msw's worker once per test file; tests add their own handlers with `worker.use`. */
import { setupWorker } from 'msw/browser';

export const worker = setupWorker();

/** Starts the worker (served from / by the test runner's middleware). */
export async function startWorker(): Promise<void> {
  await worker.start({ serviceWorker: { url: '/mockServiceWorker.js' }, quiet: true, onUnhandledRequest: 'bypass' });
}
