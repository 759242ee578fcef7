/** Entry of the frame page (/frame/<view>?clinic=&lang=&host=): wires the app to the host page. */
import { translate } from '../../shared/i18n.js';
import { normalizeLang } from '../../shared/lang.js';
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
app.api = new PatientApi(params.get('clinic') ?? '', lang);
for (const name of ['sm-signed-in', 'sm-signed-out', 'sm-message-sent']) app.addEventListener(name, () => bridge.emit(name));
document.body.append(app);
bridge.acceptTheme(document.documentElement);
bridge.reportSize(document.body);
