/** A small JSON-over-fetch helper for both front ends; errors carry the API's code, message and parameters. */
import type { ErrorParams, FieldError } from './api.js';

/** An error answer from the API (or the network). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The refusal's parameters (limits, instants), for wording it in the reader's language. */
    readonly params?: ErrorParams,
    /** For a form checked as a whole: the field of the first problem, and every problem at its field. */
    readonly fields: { field?: string | undefined; errors?: FieldError[] | undefined } = {},
  ) {
    super(message);
  }
}

type ErrorAnswer = { code?: string; message?: string; params?: ErrorParams; field?: string; errors?: FieldError[] } | null;

/** The ApiError for a non-2xx answer and its (possibly missing) JSON body. */
function answerError(res: Response, body: ErrorAnswer): ApiError {
  const params = body?.params && typeof body.params === 'object' ? body.params : undefined;
  const field = typeof body?.field === 'string' ? body.field : undefined;
  const errors = Array.isArray(body?.errors) ? body.errors.filter((e) => e && typeof e.code === 'string' && typeof e.field === 'string') : undefined;
  return new ApiError(res.status, body?.code ?? 'http_error', body?.message ?? res.statusText, params, { field, errors });
}

/** Sends JSON, returns parsed JSON (undefined for 204); throws ApiError for any non-2xx answer. */
export async function fetchJson<T>(url: string, init: { method?: string; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: init.method ?? 'GET',
      credentials: 'same-origin',
      headers: { accept: 'application/json', ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      ...(init.signal ? { signal: init.signal } : {}),
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'network', 'The server could not be reached');
  }
  if (res.status === 204) return undefined as T;
  const body = (await res.json().catch(() => null)) as ErrorAnswer;
  if (!res.ok) throw answerError(res, body);
  return body as T;
}

/** Uploads one file as multipart/form-data (field "file"); returns the parsed JSON answer. */
export async function uploadFile<T>(url: string, file: File, headers: Record<string, string> = {}): Promise<T> {
  const form = new FormData();
  form.append('file', file);
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', body: form, credentials: 'same-origin', headers });
  } catch {
    throw new ApiError(0, 'network', 'The server could not be reached');
  }
  const body = (await res.json().catch(() => null)) as ErrorAnswer;
  if (!res.ok) throw answerError(res, body);
  return body as T;
}
