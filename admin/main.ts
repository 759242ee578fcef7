/** Entry of the admin SPA; registers the service worker that keeps it working offline. */
import { registerServiceWorker } from '../shared/offline/service-worker.js';
import './sm-admin-app.js';

const app = document.querySelector('sm-admin-app');
void registerServiceWorker({
  onUpdateReady: (apply) => {
    if (app) app.applyUpdate = apply;
  },
  onFlushRequest: () => app?.deviceSession?.outbox.flushSoon(0),
});
