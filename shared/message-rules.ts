/**
 * The clinic's length rules for a message, one function for the widget's live counter and the
 * server's check, so the two can never disagree.
 */

/** The limits a clinic sets; null means no limit. */
export interface LengthLimits {
  maxChars: number | null;
  maxWords: number | null;
}

/** How a text measures against the limits. */
export interface LengthCheck {
  chars: number;
  words: number;
  overChars: boolean;
  overWords: boolean;
  ok: boolean;
}

/** Counts user-perceived characters (an emoji is one) and whitespace-separated words. */
export function checkLength(text: string, limits: LengthLimits): LengthCheck {
  const chars = [...text].length;
  const trimmed = text.trim();
  const words = trimmed ? trimmed.split(/\s+/u).length : 0;
  const overChars = limits.maxChars !== null && chars > limits.maxChars;
  const overWords = limits.maxWords !== null && words > limits.maxWords;
  return { chars, words, overChars, overWords, ok: !overChars && !overWords };
}

// Phrases that suggest an emergency, English and French, compared without accents or case.
const EMERGENCY_PHRASES = [
  'chest pain', 'chest pains', 'heart attack', 'suicid', 'kill myself', 'end my life', "can't breathe", 'cant breathe', 'cannot breathe',
  'trouble breathing', 'short of breath', 'overdose', 'stroke', 'unconscious', 'severe bleeding', 'bleeding heavily', 'seizure', 'anaphyla',
  'douleur thoracique', 'douleur a la poitrine', 'douleurs a la poitrine', 'crise cardiaque', 'me suicider', 'me tuer', 'mettre fin a mes jours',
  'peux pas respirer', 'difficulte a respirer', 'essouffle', 'surdose', 'avc', 'inconscient', 'saigne beaucoup', 'hemorragie', 'convulsion',
];

/** True when the text contains words that suggest an emergency (the widget then repeats the 911 notice). */
export function looksLikeEmergency(text: string): boolean {
  const plain = ` ${text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[’']/g, "'").replace(/[^\p{L}\p{N}']+/gu, ' ')} `;
  return EMERGENCY_PHRASES.some((p) => (p.length <= 4 ? plain.includes(` ${p} `) : plain.includes(p)));
}
