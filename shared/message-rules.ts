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
