/**
 * The validated instruments shipped with the product, as FHIR R4 Questionnaires a clinic adds to its
 * own list: PHQ-9 (depression) and GAD-7 (anxiety), both free to use (Pfizer; Spitzer, Williams,
 * Kroenke et al.), with LOINC codes, and a home blood-pressure log for remote monitoring. Scores are data, not code: the total is an SDC
 * `calculatedExpression` in FHIRPath over the answers' ordinal values, its bands and the PHQ-9
 * item-9 safety flag are extensions read by questionnaire-scoring.ts. French text rides in the FHIR
 * translation extension (see shared/questionnaire-logic.ts).
 */
import type { Coding, Extension, Questionnaire, QuestionnaireItem } from '@medplum/fhirtypes';
import { ORDINAL_VALUE_URL, TRANSLATION_URL } from '../../shared/questionnaire-logic.js';

export { ORDINAL_VALUE_URL };

/** The SDC calculated expression extension. */
export const CALCULATED_EXPRESSION_URL = 'http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression';
/** Our extension on a calculated item: one band of its score (parts min, max, code, display with a translation). */
export const SCORE_BAND_URL = 'https://secure-messaging.ca/fhir/StructureDefinition/score-band';
/** Our extension on a Questionnaire: a safety flag raised to staff at once (parts code, expression). */
export const SAFETY_FLAG_URL = 'https://secure-messaging.ca/fhir/StructureDefinition/safety-flag';

const LOINC = 'http://loinc.org';

const fr = (text: string) => ({ extension: [{ url: TRANSLATION_URL, extension: [{ url: 'lang', valueCode: 'fr' }, { url: 'content', valueString: text }] }] });

/** The four answers shared by PHQ-9 and GAD-7 (LOINC answer list LL358-3). */
const FREQUENCY: Array<[string, string, string, number]> = [
  ['LA6568-5', 'Not at all', 'Jamais', 0],
  ['LA6569-3', 'Several days', 'Plusieurs jours', 1],
  ['LA6570-1', 'More than half the days', 'Plus de la moitié du temps', 2],
  ['LA6571-9', 'Nearly every day', 'Presque tous les jours', 3],
];

const answerOptions = () =>
  FREQUENCY.map(([code, en, french, score]) => ({
    valueCoding: { system: LOINC, code, display: en, _display: fr(french), extension: [{ url: ORDINAL_VALUE_URL, valueDecimal: score }] } as Coding,
  }));

function band(min: number, max: number, code: string, en: string, french: string): Extension {
  return {
    url: SCORE_BAND_URL,
    extension: [
      { url: 'min', valueInteger: min },
      { url: 'max', valueInteger: max },
      { url: 'code', valueCode: code },
      { url: 'display', valueString: en, _valueString: fr(french) } as Extension,
    ],
  };
}

/** The FHIRPath sum of the ordinal values of the answers to the items whose linkId matches. */
const ordinalSum = (pattern: string) => `%resource.repeat(item).where(linkId.matches('${pattern}')).answer.value.extension.where(url = '${ORDINAL_VALUE_URL}').value.sum()`;

interface Instrument {
  key: string;
  id: string;
  loinc: string;
  title: [string, string];
  intro: [string, string];
  items: Array<[string, string, string, string]>;
  total: { linkId: string; loinc: string; bands: Extension[] };
  flag?: { code: string; expression: string };
}

function build(i: Instrument): Questionnaire {
  const questions: QuestionnaireItem[] = i.items.map(([linkId, loinc, en, french]) => ({
    linkId, code: [{ system: LOINC, code: loinc }], text: en, _text: fr(french), type: 'choice', required: true, answerOption: answerOptions(),
  }) as QuestionnaireItem);
  return {
    resourceType: 'Questionnaire',
    status: 'active',
    name: i.id.replace(/[^A-Za-z0-9]/g, ''),
    title: i.title[0],
    _title: fr(i.title[1]),
    code: [{ system: LOINC, code: i.loinc, display: i.title[0] }],
    subjectType: ['Patient'],
    ...(i.flag ? { extension: [{ url: SAFETY_FLAG_URL, extension: [{ url: 'code', valueCode: i.flag.code }, { url: 'expression', valueExpression: { language: 'text/fhirpath', expression: i.flag.expression } }] }] } : {}),
    item: [
      { linkId: `${i.id}-intro`, type: 'display', text: i.intro[0], _text: fr(i.intro[1]) } as QuestionnaireItem,
      ...questions,
      {
        linkId: i.total.linkId, code: [{ system: LOINC, code: i.total.loinc }], text: 'Total score', _text: fr('Score total'), type: 'integer', readOnly: true,
        extension: [{ url: CALCULATED_EXPRESSION_URL, valueExpression: { language: 'text/fhirpath', expression: ordinalSum(`^${i.id}-[0-9]+$`) } }, ...i.total.bands],
      } as QuestionnaireItem,
    ],
  } as Questionnaire;
}

const PHQ9 = build({
  key: 'phq-9',
  id: 'phq9',
  loinc: '44249-1',
  title: ['Patient Health Questionnaire (PHQ-9)', 'Questionnaire sur la santé du patient (PHQ-9)'],
  intro: [
    'Over the last 2 weeks, how often have you been bothered by any of the following problems?',
    'Au cours des 2 dernières semaines, à quelle fréquence avez-vous été dérangé(e) par les problèmes suivants ?',
  ],
  items: [
    ['phq9-1', '44250-9', 'Little interest or pleasure in doing things', 'Peu d’intérêt ou de plaisir à faire les choses'],
    ['phq9-2', '44255-8', 'Feeling down, depressed, or hopeless', 'Être triste, déprimé(e) ou désespéré(e)'],
    ['phq9-3', '44259-0', 'Trouble falling or staying asleep, or sleeping too much', 'Difficultés à s’endormir ou à rester endormi(e), ou dormir trop'],
    ['phq9-4', '44254-1', 'Feeling tired or having little energy', 'Se sentir fatigué(e) ou manquer d’énergie'],
    ['phq9-5', '44251-7', 'Poor appetite or overeating', 'Avoir peu d’appétit ou manger trop'],
    ['phq9-6', '44258-2', 'Feeling bad about yourself — or that you are a failure or have let yourself or your family down', 'Avoir une mauvaise opinion de vous-même, ou le sentiment d’être nul(le), ou d’avoir déçu votre famille ou de vous être déçu(e) vous-même'],
    ['phq9-7', '44252-5', 'Trouble concentrating on things, such as reading the newspaper or watching television', 'Avoir du mal à vous concentrer, par exemple pour lire le journal ou regarder la télévision'],
    ['phq9-8', '44253-3', 'Moving or speaking so slowly that other people could have noticed? Or the opposite — being so fidgety or restless that you have been moving around a lot more than usual', 'Bouger ou parler si lentement que les autres auraient pu le remarquer ? Ou au contraire, être si agité(e) que vous avez bougé beaucoup plus que d’habitude'],
    ['phq9-9', '44260-8', 'Thoughts that you would be better off dead or of hurting yourself in some way', 'Penser qu’il vaudrait mieux mourir ou envisager de vous faire du mal d’une manière ou d’une autre'],
  ],
  total: {
    linkId: 'phq9-total',
    loinc: '44261-6',
    bands: [
      band(0, 4, 'minimal', 'Minimal depression', 'Dépression minime'),
      band(5, 9, 'mild', 'Mild depression', 'Dépression légère'),
      band(10, 14, 'moderate', 'Moderate depression', 'Dépression modérée'),
      band(15, 19, 'moderately-severe', 'Moderately severe depression', 'Dépression modérément sévère'),
      band(20, 27, 'severe', 'Severe depression', 'Dépression sévère'),
    ],
  },
  flag: { code: 'phq9-item9', expression: `%resource.repeat(item).where(linkId = 'phq9-9').answer.value.extension.where(url = '${ORDINAL_VALUE_URL}' and value > 0).exists()` },
});

const GAD7 = build({
  key: 'gad-7',
  id: 'gad7',
  loinc: '69737-5',
  title: ['Generalized Anxiety Disorder (GAD-7)', 'Trouble d’anxiété généralisée (GAD-7)'],
  intro: [
    'Over the last 2 weeks, how often have you been bothered by the following problems?',
    'Au cours des 2 dernières semaines, à quelle fréquence avez-vous été dérangé(e) par les problèmes suivants ?',
  ],
  items: [
    ['gad7-1', '69725-0', 'Feeling nervous, anxious, or on edge', 'Un sentiment de nervosité, d’anxiété ou de tension'],
    ['gad7-2', '68509-9', 'Not being able to stop or control worrying', 'Être incapable d’arrêter de vous inquiéter ou de contrôler vos inquiétudes'],
    ['gad7-3', '69733-4', 'Worrying too much about different things', 'Vous inquiéter trop à propos de différentes choses'],
    ['gad7-4', '69734-2', 'Trouble relaxing', 'Avoir du mal à vous détendre'],
    ['gad7-5', '69735-9', 'Being so restless that it is hard to sit still', 'Être si agité(e) qu’il est difficile de tenir en place'],
    ['gad7-6', '69689-8', 'Becoming easily annoyed or irritable', 'Devenir facilement contrarié(e) ou irritable'],
    ['gad7-7', '69736-7', 'Feeling afraid, as if something awful might happen', 'Avoir peur, comme si quelque chose de terrible risquait d’arriver'],
  ],
  total: {
    linkId: 'gad7-total',
    loinc: '70274-6',
    bands: [
      band(0, 4, 'minimal', 'Minimal anxiety', 'Anxiété minime'),
      band(5, 9, 'mild', 'Mild anxiety', 'Anxiété légère'),
      band(10, 14, 'moderate', 'Moderate anxiety', 'Anxiété modérée'),
      band(15, 21, 'severe', 'Severe anxiety', 'Anxiété sévère'),
    ],
  },
});

const SNOMED = 'http://snomed.info/sct';
const UCUM_SYSTEM = 'http://unitsofmeasure.org';
const UNIT_URL = 'http://hl7.org/fhir/StructureDefinition/questionnaire-unit';

/** A coded answer option with its French display. */
const option = (system: string, code: string, en: string, french: string) => ({ valueCoding: { system, code, display: en, _display: fr(french) } as Coding });

/** The FHIRPath of a blood-pressure answer's number (quantity value). */
const reading = (linkId: string) => `%resource.repeat(item).where(linkId = '${linkId}').answer.value.value`;

/**
 * A home blood-pressure log for remote monitoring (sent weekly, say): one reading with its date and
 * time, systolic and diastolic in mm[Hg] (UCUM quantities), pulse, and optionally the arm and the
 * position. Its category is data like the PHQ-9 total: a calculatedExpression in FHIRPath gives
 * 2 when the reading is at or above Hypertension Canada's home threshold (systolic ≥ 135 or
 * diastolic ≥ 85 mm Hg), 1 when it is just below it (systolic 130–134 or diastolic 80–84: "elevated",
 * this product's early-warning margin, not a diagnosis), else 0; the bands name them. A reading of
 * 180/110 or more (Hypertension Canada's severe range) is 3 and raises a safety flag to staff, and
 * the form tells the patient what to do about it there and then.
 */
const BP_LOG: Questionnaire = {
  resourceType: 'Questionnaire',
  status: 'active',
  name: 'HomeBloodPressureLog',
  title: 'Home blood pressure log',
  _title: fr('Relevé de la pression artérielle à domicile'),
  code: [{ system: LOINC, code: '85354-9', display: 'Blood pressure panel with all children optional' }],
  subjectType: ['Patient'],
  extension: [
    { url: SAFETY_FLAG_URL, extension: [{ url: 'code', valueCode: 'bp-severe' }, { url: 'expression', valueExpression: { language: 'text/fhirpath', expression: `${reading('bp-systolic')} >= 180 or ${reading('bp-diastolic')} >= 110` } }] },
  ],
  item: [
    {
      linkId: 'bp-intro', type: 'display',
      text: 'Sit quietly for 5 minutes, back supported and feet flat, with your arm resting at heart level. Take two readings one minute apart and enter the second one.',
      _text: fr('Restez assis(e) calmement 5 minutes, le dos appuyé et les pieds à plat, le bras reposant à la hauteur du cœur. Prenez deux mesures à une minute d’intervalle et inscrivez la deuxième.'),
    },
    { linkId: 'bp-when', type: 'dateTime', required: true, text: 'Date and time of the reading', _text: fr('Date et heure de la mesure') },
    {
      linkId: 'bp-systolic', type: 'quantity', required: true, code: [{ system: LOINC, code: '8480-6', display: 'Systolic blood pressure' }],
      text: 'Systolic (top number)', _text: fr('Systolique (chiffre du haut)'),
      extension: [{ url: UNIT_URL, valueCoding: { system: UCUM_SYSTEM, code: 'mm[Hg]', display: 'mmHg' } }],
    },
    {
      linkId: 'bp-diastolic', type: 'quantity', required: true, code: [{ system: LOINC, code: '8462-4', display: 'Diastolic blood pressure' }],
      text: 'Diastolic (bottom number)', _text: fr('Diastolique (chiffre du bas)'),
      extension: [{ url: UNIT_URL, valueCoding: { system: UCUM_SYSTEM, code: 'mm[Hg]', display: 'mmHg' } }],
    },
    {
      linkId: 'bp-pulse', type: 'integer', code: [{ system: LOINC, code: '8867-4', display: 'Heart rate' }],
      text: 'Pulse (beats per minute)', _text: fr('Pouls (battements par minute)'),
      extension: [{ url: UNIT_URL, valueCoding: { system: UCUM_SYSTEM, code: '/min', display: 'beats/min' } }],
    },
    {
      linkId: 'bp-arm', type: 'choice', code: [{ system: LOINC, code: '41904-4', display: 'Blood pressure measurement site' }], text: 'Arm used', _text: fr('Bras utilisé'),
      answerOption: [option(SNOMED, '368208006', 'Left arm', 'Bras gauche'), option(SNOMED, '368209003', 'Right arm', 'Bras droit')],
    },
    {
      linkId: 'bp-position', type: 'choice', code: [{ system: LOINC, code: '8361-8', display: 'Body position with respect to gravity' }], text: 'Position', _text: fr('Position'),
      answerOption: [option(SNOMED, '33586001', 'Sitting', 'Assis(e)'), option(SNOMED, '10904000', 'Standing', 'Debout'), option(SNOMED, '40199007', 'Lying down', 'Couché(e)')],
    },
    {
      linkId: 'bp-severe-advice', type: 'display',
      text: 'If the top number is 180 or more, or the bottom number 110 or more: rest 5 minutes and measure again. If it is still that high, call the clinic today. Call 911 if you also have chest pain, shortness of breath, weakness, trouble speaking or a severe headache.',
      _text: fr('Si le chiffre du haut est de 180 ou plus, ou celui du bas de 110 ou plus : reposez-vous 5 minutes et mesurez de nouveau. S’il est encore aussi élevé, appelez la clinique aujourd’hui. Faites le 911 si vous avez aussi une douleur à la poitrine, de l’essoufflement, une faiblesse, de la difficulté à parler ou un mal de tête intense.'),
    },
    {
      linkId: 'bp-category', type: 'integer', readOnly: true, text: 'Home blood pressure category', _text: fr('Catégorie de la pression artérielle à domicile'),
      extension: [
        {
          url: CALCULATED_EXPRESSION_URL,
          valueExpression: {
            language: 'text/fhirpath',
            expression: `iif(${reading('bp-systolic')} >= 180 or ${reading('bp-diastolic')} >= 110, 3, iif(${reading('bp-systolic')} >= 135 or ${reading('bp-diastolic')} >= 85, 2, iif(${reading('bp-systolic')} >= 130 or ${reading('bp-diastolic')} >= 80, 1, 0)))`,
          },
        },
        band(0, 0, 'normal', 'Normal (below 130/80)', 'Normale (moins de 130/80)'),
        band(1, 1, 'elevated', 'Elevated (130–134/80–84)', 'Élevée (130–134/80–84)'),
        band(2, 2, 'high', 'High (135/85 or more at home)', 'Haute (135/85 ou plus à domicile)'),
        band(3, 3, 'severe', 'Very high (180/110 or more)', 'Très haute (180/110 ou plus)'),
      ],
    },
  ] as unknown as QuestionnaireItem[],
} as Questionnaire;

/** The library, by key. Each call of `libraryResource` hands out a fresh copy. */
export const LIBRARY: Readonly<Record<string, Questionnaire>> = { 'phq-9': PHQ9, 'gad-7': GAD7, 'bp-log': BP_LOG };

/** A copy of a library instrument, or null for an unknown key. */
export function libraryResource(key: string): Questionnaire | null {
  const q = LIBRARY[key];
  return q ? (structuredClone(q) as Questionnaire) : null;
}
