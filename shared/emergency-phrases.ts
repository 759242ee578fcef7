/**
 * Phrases that suggest a medical emergency, per language and per kind of emergency. When a patient's
 * message contains one, the widget shows the clinic's emergency notice again before sending; sending
 * anyway is flagged to staff. A false alarm costs the patient one extra click; a miss can cost more,
 * so the lists lean towards catching.
 *
 * Provenance: drafted 2026-11-26 by the engineering team from public warning-sign lists — Heart &
 * Stroke Foundation of Canada (heart attack signs; stroke signs FAST / VITE), the Canadian Triage and
 * Acuity Scale presenting complaints (chest pain, shortness of breath, bleeding, overdose, allergic
 * reaction, suicidal ideation), 9-8-8 Suicide Crisis Helpline guidance, and plain-language variants
 * patients write (including Canadian French usage). NOT YET CLINICALLY REVIEWED.
 *
 * Maintenance: a change to these lists is a pull request reviewed by a clinician (physician or
 * nurse) of a pilot clinic, in both languages, who signs off below with name and date; add a matching
 * and a non-matching example to test/server/emergency-phrases.test.ts for every phrase you add.
 * Review log:
 *   - 2026-11-26: initial lists, engineering draft — clinical review pending.
 *
 * Matching rules (see `looksLikeEmergency`): case, accents, apostrophes and punctuation are ignored
 * (the text and each phrase are reduced to lowercase words without accents); a phrase matches whole
 * words only ("avc" does not match "avocat"); a trailing `*` matches the rest of the last word
 * ("suicid*" matches "suicidal", "suicidaire", "suicider"). Every language's lists are checked
 * whatever the patient's language: people write in the language that comes.
 */
import type { Lang } from './lang.js';

/** The kinds of emergency the lists cover; each language has a list for each. */
export type EmergencyTopic = 'chestPain' | 'stroke' | 'breathing' | 'suicideSelfHarm' | 'bleeding' | 'overdose' | 'anaphylaxis' | 'consciousness';

/** The phrase lists: every topic in every language (the type makes a missing list a compile error). */
export const EMERGENCY_PHRASES: Readonly<Record<Lang, Readonly<Record<EmergencyTopic, readonly string[]>>>> = {
  en: {
    chestPain: [
      'chest pain*', 'pain in my chest', 'chest hurts', 'chest is hurting', 'chest is tight', 'tight chest', 'chest tightness', 'tightness in my chest',
      'pressure in my chest', 'chest pressure', 'crushing pain', 'heart attack',
    ],
    stroke: [
      'stroke', 'face drooping', 'face is drooping', 'drooping face', 'face droops', 'slurred speech', 'speech is slurred', 'slurring my words',
      'sudden weakness', 'sudden numbness', 'can t move my arm', 'cannot move my arm', 'can t lift my arm', 'cannot lift my arm', 'sudden vision loss',
      'sudden loss of vision', 'worst headache of my life',
    ],
    breathing: [
      'can t breathe', 'cant breathe', 'cannot breathe', 'can not breathe', 'unable to breathe', 'trouble breathing', 'difficulty breathing',
      'hard to breathe', 'struggling to breathe', 'short of breath', 'shortness of breath', 'gasping for air', 'choking', 'lips are blue', 'turning blue',
    ],
    suicideSelfHarm: [
      'suicid*', 'kill myself', 'killing myself', 'end my life', 'ending my life', 'take my own life', 'want to die', 'wanna die', 'better off dead',
      'want to hurt myself', 'going to hurt myself', 'thoughts of hurting myself', 'harm myself', 'harming myself', 'self harm*', 'no reason to live',
    ],
    bleeding: [
      'severe bleeding', 'bleeding heavily', 'heavy bleeding', 'bleeding a lot', 'won t stop bleeding', 'wont stop bleeding', 'bleeding won t stop',
      'bleeding will not stop', 'can t stop the bleeding', 'coughing up blood', 'vomiting blood', 'throwing up blood', 'hemorrhag*', 'haemorrhag*',
    ],
    overdose: ['overdos*', 'too many pills', 'took too much of my', 'swallowed a bottle', 'poisoned'],
    anaphylaxis: [
      'anaphyla*', 'throat is closing', 'throat closing', 'throat is swelling', 'throat swelling', 'tongue is swelling', 'swollen tongue', 'allergic reaction',
      'epipen', 'epi pen',
    ],
    consciousness: ['unconscious', 'passed out', 'not breathing', 'seizure*', 'convulsion*', 'convulsing', 'unresponsive'],
  },
  fr: {
    chestPain: [
      'douleur thoracique', 'douleurs thoraciques', 'douleur a la poitrine', 'douleurs a la poitrine', 'douleur dans la poitrine', 'mal a la poitrine',
      'mal dans la poitrine', 'serrement a la poitrine', 'oppression thoracique', 'poitrine serree', 'pression dans la poitrine', 'crise cardiaque', 'infarctus',
    ],
    stroke: [
      'avc', 'accident vasculaire', 'visage affaisse', 'visage qui tombe', 'bouche croche', 'bouche de travers', 'trouble de la parole',
      'troubles de la parole', 'difficulte a parler', 'n arrive plus a parler', 'paroles confuses', 'engourdissement soudain', 'faiblesse soudaine',
      'peux plus bouger mon bras', 'perte de vision soudaine', 'perte soudaine de la vue',
    ],
    breathing: [
      'peux pas respirer', 'peux plus respirer', 'arrive pas a respirer', 'arrive plus a respirer', 'difficulte a respirer', 'difficultes a respirer',
      'mal a respirer', 'essouffl*', 'manque d air', 'souffle court', 'j etouffe', 'je m etouffe', 'levres bleues',
    ],
    suicideSelfHarm: [
      'suicid*', 'me tuer', 'mettre fin a mes jours', 'mettre fin a ma vie', 'en finir avec la vie', 'en finir avec ma vie', 'envie d en finir',
      'envie de mourir', 'veux mourir', 'me faire du mal', 'automutil*', 'scarifi*', 'mieux mort', 'mieux morte', 'plus de raison de vivre',
    ],
    bleeding: [
      'saigne beaucoup', 'saignement abondant', 'saignements abondants', 'saignement important', 'saignements importants', 'hemorragie*',
      'saignement qui n arrete pas', 'arrete pas de saigner', 'saigne sans arret', 'crache du sang', 'vomi du sang', 'vomis du sang', 'vomit du sang',
    ],
    overdose: ['surdose', 'overdose', 'trop de pilules', 'trop de comprimes', 'trop de medicaments', 'intoxication', 'empoisonn*'],
    anaphylaxis: [
      'anaphyla*', 'gorge qui enfle', 'gorge enflee', 'gorge qui se serre', 'gorge qui se ferme', 'langue enflee', 'langue qui enfle', 'reaction allergique',
      'epipen', 'epinephrine',
    ],
    consciousness: ['inconscient*', 'perdu connaissance', 'perd connaissance', 'convulsion*', 'crise d epilepsie', 'ne respire plus', 'ne repond plus'],
  },
};

/** Lowercase words without accents, apostrophes or punctuation, one space apart and padded with one: " j ai mal a la poitrine ". */
export function normalizeForMatching(text: string): string {
  const words = text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  return ` ${words.join(' ')} `;
}

/** Each phrase as the part of normalized text it must find: " chest pain " (whole words) or " suicid" (a `*` prefix). */
const NEEDLES: readonly string[] = Object.values(EMERGENCY_PHRASES).flatMap((topics) =>
  Object.values(topics).flatMap((list) => list.map((p) => (p.endsWith('*') ? normalizeForMatching(p.slice(0, -1)).trimEnd() : normalizeForMatching(p)))),
);

/** True when the text contains a phrase that suggests an emergency (the widget then repeats the 911 notice). */
export function looksLikeEmergency(text: string): boolean {
  const plain = normalizeForMatching(text);
  return NEEDLES.some((needle) => plain.includes(needle));
}
