/** Entry of the frame page (/frame/<view>?clinic=&lang=&host=): wires the app to the host page. */
import { translate } from '../../shared/i18n.js';
import { normalizeLang } from '../../shared/lang.js';
import { CACHE_PAGES, CACHE_PUBLIC_CONFIG } from '../../shared/offline/cache-names.js';
import { registerServiceWorker } from '../../shared/offline/service-worker.js';
import { HostBridge, hostOriginOf } from './host-bridge.js';
import { PatientApi } from './patient-api.js';
import { SmFrameApp } from './sm-frame-app.js';

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
for (const name of ['sm-signed-in', 'sm-signed-out', 'sm-message-sent']) app.addEventListener(name, () => bridge.emit(name));
document.body.append(app);
bridge.acceptTheme(document.documentElement);
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
