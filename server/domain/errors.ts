import type { ErrorParams, FieldError } from '../../shared/api.js';

/** What an AppError may carry besides its sentence. */
export interface AppErrorOptions {
  /** For a 429 or 503: when to try again, sent as Retry-After (and as `params.retryAfterSeconds`). */
  retryAfterSeconds?: number;
  /** Machine-readable details the browser words in the reader's language (limits, sizes, instants). */
  params?: ErrorParams;
  /** The field of the request body the problem is at (`hours.tue.0.end`). */
  field?: string;
  /** Every problem of a form checked as a whole, each at its field. */
  errors?: FieldError[];
}

/**
 * A failure the caller can act on: an HTTP status, a stable code (and parameters) for programs,
 * an English sentence for logs and API users. Browsers word the code from their own catalog.
 */
export class AppError extends Error {
  readonly retryAfterSeconds?: number;
  readonly params?: ErrorParams;
  readonly field?: string;
  readonly errors?: FieldError[];

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** A number is the Retry-After in seconds (the older form). */
    options?: number | AppErrorOptions,
  ) {
    super(message);
    const o = typeof options === 'number' ? { retryAfterSeconds: options } : (options ?? {});
    if (o.retryAfterSeconds !== undefined) this.retryAfterSeconds = o.retryAfterSeconds;
    if (o.params !== undefined) this.params = o.params;
    if (o.field !== undefined) this.field = o.field;
    if (o.errors !== undefined) this.errors = o.errors;
  }
}

/** A 400 listing every problem of a form, each at its field; its code and params are the first problem's. */
export function fieldErrors(problems: FieldError[], message: string): AppError {
  const first = problems[0]!;
  return new AppError(400, first.code, message, { ...(first.params ? { params: first.params } : {}), field: first.field, errors: problems });
}

/** The 404 for a record that does not exist or belongs to another clinic; the two look the same. */
export function notFound(what: string): AppError {
  return new AppError(404, 'not_found', `${what} not found`);
}

/** A 429 that says when to try again (sent as Retry-After, in whole seconds). */
export class TooManyRequests extends AppError {
  constructor(retryAfterSeconds: number, code = 'rate_limited', message = 'Too many requests; wait a moment and try again') {
    super(429, code, message, Math.max(1, retryAfterSeconds));
  }
}
