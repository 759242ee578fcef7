/**
 * Keyset page positions: the last row's (sort key, id), opaque to clients. A page then continues
 * with `WHERE (key, id) < (last key, last id)`, so rows added or removed meanwhile neither repeat nor
 * skip one already shown, and no page costs more than its own rows.
 */
import { AppError } from './errors.js';

/** The last row's sort key(s) and id; a list with several orders may prefix its phase. */
export type Position = readonly string[];

export const encodeCursor = (position: Position): string => Buffer.from(JSON.stringify(position)).toString('base64url');

/** The position a cursor holds, if it has the shape this list gives out (by default `[key, id]`). */
export function decodeCursor(cursor: string, shape: (position: Position) => boolean = (p) => p.length === 2): Position {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.every((x): x is string => typeof x === 'string') && shape(v)) return v;
  } catch {
    // falls through to the refusal
  }
  throw new AppError(400, 'invalid_cursor', 'cursor is not one this server gave out; start again from the first page');
}

/** The page's rows (one extra was asked for to learn whether more follow) and the cursor of the next page. */
export function pageOf<T>(rows: T[], limit: number, position: (last: T) => Position): { rows: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  return { rows: page, nextCursor: rows.length > limit ? encodeCursor(position(page[page.length - 1]!)) : null };
}
