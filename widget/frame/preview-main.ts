/** Entry of the questionnaire preview page (/frame/questionnaire-preview?lang=), framed only by our admin. */
import { normalizeLang } from '../../shared/lang.js';
import { startPreview } from './questionnaire-preview.js';

document.documentElement.lang = normalizeLang(new URLSearchParams(location.search).get('lang'));
startPreview();
