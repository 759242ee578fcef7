/** Entry of the frame page (/frame/<view>?clinic=&lang=&host=): wires the app to the host page. */
import { translate } from '../../shared/i18n.js';
import { normalizeLang } from '../../shared/lang.js';
import { CACHE_PAGES, CACHE_PUBLIC_CONFIG } from '../../shared/offline/cache-names.js';
import { registerServiceWorker } from '../../shared/offline/service-worker.js';
import { FRAME_EVENTS } from '../events.js';
import { HostBridge, hostOriginOf } from './host-bridge.js';
import { PatientApi } from './patient-api.js';
import { nextTask } from './schedule.js';
import { SmFrameApp } from './sm-frame-app.js';
import { trackUnread } from './unread.js';

const params = new URLSearchParams(location.search);
const view = location.pathname.split('/').pop() as SmFrameApp['view'];
const lang = normalizeLang(params.get('lang'));
document.documentElement.lang = lang;
document.title = `${translate(lang, `frame.view.${view}`)} – ${translate(lang, 'app.name')}`;

const bridge = new HostBridge(hostOriginOf(params.get('host')));
const app = new SmFrameApp();
app.view = view;
app.lang = lang;
const clinic = params.get('clinic') ?? '';
app.api = new PatientApi(clinic, lang);
app.preselect = { type: params.get('type') ?? '', provider: params.get('provider') ?? '' };
// Each of these reaches the app once (the views' events are composed); only sm-message-sent has a detail.
for (const name of FRAME_EVENTS) app.addEventListener(name, (e) => bridge.emit(name, name === 'sm-message-sent' ? (e as CustomEvent).detail : undefined));
if (view === 'messages') {
  const resetUnread = trackUnread(app.api, (count) => bridge.reportUnread(count));
  app.addEventListener('sm-signed-out', resetUnread);
}
// The first render in a task of its own: with the modules' evaluation it would be one long task.
await nextTask();
document.body.append(app);
bridge.listen(document.documentElement, {
  lang(next) {
    app.lang = next;
    app.api.lang = next;
    document.documentElement.lang = next;
    document.title = `${translate(next, `frame.view.${view}`)} – ${translate(next, 'app.name')}`;
  },
  signOut: () => void app.signOut(false),
  focus: () => void app.focusScreen(),
});
bridge.reportSize(document.body);

// Offline after one visit: this page and the clinic's public rules are cached as soon as the worker runs.
const publicConfig = `/api/public/clinics/${encodeURIComponent(clinic)}`;
const pages = [location.href];
const publicFiles = [publicConfig, `${publicConfig}/messaging`];
// On our own patient portal the page around the frames, and its loader, are ours too: keep them as well.
try {
  if (window.parent !== window && window.parent.location.origin === location.origin) {
    pages.push(window.parent.location.href);
    publicFiles.push('/widget.js');
  }
} catch {
  // A clinic's site (another origin): its page is not ours to cache.
}
void registerServiceWorker({
  onUpdateReady: (apply) => (app.applyUpdate = apply),
  onFlushRequest: () => app.deviceSession?.outbox.flushSoon(0),
  warm: { [CACHE_PAGES]: pages, [CACHE_PUBLIC_CONFIG]: publicFiles },
});
