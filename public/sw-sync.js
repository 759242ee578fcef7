// Imported by the generated service worker (/sw.js). Where the browser has Background Sync
// (Chromium), connectivity coming back wakes the open pages so their outboxes send at once.
// The worker itself sends nothing: only a signed-in page holds the key to read the outbox.
self.addEventListener('sync', (event) => {
  if (event.tag !== 'sm-outbox') return;
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((clients) => {
      for (const client of clients) client.postMessage({ type: 'sm-flush' });
    }),
  );
});
