/** Merging pages of a conversation's messages in the reader (widget and admin; kept apart from the schemas, so the widget need not load TypeBox). */

/**
 * The messages to show after the newest page was read again (a live update, a reply sent): the page,
 * after those already shown that it no longer holds (they are older than all of it: earlier pages the
 * reader loaded). A page that shares no message with those shown while earlier ones exist may have
 * left a gap (more than a page arrived meanwhile): then only the page is shown (`kept` false), and
 * its own cursor pages back from it.
 */
export function mergeNewest<T extends { id: string }>(shown: readonly T[], page: { messages: readonly T[]; earlierCursor: string | null }): { messages: T[]; kept: boolean } {
  const fresh = new Set(page.messages.map((m) => m.id));
  const overlaps = shown.some((m) => fresh.has(m.id));
  if (shown.length > 0 && !overlaps && page.earlierCursor !== null) return { messages: [...page.messages], kept: false };
  return { messages: [...shown.filter((m) => !fresh.has(m.id)), ...page.messages], kept: shown.length > 0 };
}

/** The messages shown once an earlier page arrived: the page, then those already shown (each once). */
export function withEarlier<T extends { id: string }>(shown: readonly T[], earlier: readonly T[]): T[] {
  const known = new Set(shown.map((m) => m.id));
  return [...earlier.filter((m) => !known.has(m.id)), ...shown];
}
