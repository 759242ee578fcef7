/**
 * Registers the service worker (workbox-window) for a page and reports when a new deployment is
 * waiting, so the page can offer a reload rather than mixing old and new code.
 */
import { SERVICE_WORKER_URL } from './cache-names.js';

export interface ServiceWorkerHooks {
  /** A new version is installed and waiting; call `apply` to switch to it (the page reloads). */
  onUpdateReady(apply: () => void): void;
  /** The worker asks the page to send its outbox now (Background Sync). */
  onFlushRequest?(): void;
  /** Responses to keep in named caches once the worker runs, so the first visit already works offline. */
  warm?: Record<string, string[]>;
}

/** Registers the worker; does nothing where service workers are unavailable or refused (online-only). */
export async function registerServiceWorker(hooks: ServiceWorkerHooks): Promise<void> {
  if (!('serviceWorker' in navigator)) return;
  // Fetched after the page runs: registering can wait, and the frame's first load stays small.
  const { Workbox } = await import('workbox-window');
  const wb = new Workbox(SERVICE_WORKER_URL, { scope: '/' });
  wb.addEventListener('waiting', () => {
    hooks.onUpdateReady(() => {
      wb.addEventListener('controlling', () => location.reload());
      wb.messageSkipWaiting();
    });
  });
  navigator.serviceWorker.addEventListener('message', (e: MessageEvent<{ type?: string }>) => {
    if (e.data?.type === 'sm-flush') hooks.onFlushRequest?.();
  });
  try {
    await wb.register();
  } catch {
    return; // e.g. storage partitioning or a policy forbids it in this frame: the page works online
  }
  // Check for a new deployment now and then, for pages left open all day at a reception desk.
  setInterval(() => void wb.update().catch(() => undefined), 30 * 60_000);
  if (hooks.warm) {
    await wb.active;
    for (const [name, urls] of Object.entries(hooks.warm)) {
      const cache = await caches.open(name);
      await Promise.all(urls.map((url) => cache.match(url).then((hit) => (hit ? undefined : cache.add(url))))).catch(() => undefined);
    }
  }
}
