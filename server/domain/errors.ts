/** A failure the caller can act on: an HTTP status, a stable code for programs, a sentence for people. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** For a 429 or 503: when to try again, sent as Retry-After. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
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
