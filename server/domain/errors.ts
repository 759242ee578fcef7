/** A failure the caller can act on: an HTTP status, a stable code for programs, a sentence for people. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The 404 for a record that does not exist or belongs to another clinic; the two look the same. */
export function notFound(what: string): AppError {
  return new AppError(404, 'not_found', `${what} not found`);
}
