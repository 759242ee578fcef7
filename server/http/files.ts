/** Files over HTTP: one upload per multipart request, and downloads that never use the uploader's name. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../domain/errors.js';

/**
 * Uploads per caller (session token or cookie, else address) and minute, counted before the body is
 * read: a file is held in memory until it is checked.
 */
export const UPLOAD_RATE = {
  max: 20,
  timeWindow: '1 minute',
  hook: 'onRequest' as const,
  keyGenerator: (req: FastifyRequest) => String(req.headers.authorization ?? req.headers.cookie ?? req.ip),
};

/** Reads one uploaded file from a multipart request, with the clinic's size cap. */
export async function uploadedFile(request: FastifyRequest, maxMb: number): Promise<{ fileName: string; data: Buffer }> {
  if (!request.isMultipart()) throw new AppError(415, 'multipart_required', 'Send the file as multipart/form-data in a field named "file"');
  const part = await request.file({ limits: { fileSize: maxMb * 1024 * 1024, files: 1 } });
  if (!part) throw new AppError(400, 'file_missing', 'No file in the request');
  // As documented: a file under another name is a client's mistake to hear about, not to guess past.
  if (part.fieldname !== 'file') throw new AppError(400, 'file_missing', 'Send the file in a field named "file"');
  const data = await part.toBuffer().catch((err: { code?: string }) => {
    if (err.code === 'FST_REQ_FILE_TOO_LARGE') throw new AppError(413, 'file_too_large', `Files may be at most ${maxMb} MB`, { params: { maxMb } });
    throw err;
  });
  return { fileName: part.filename, data };
}

const Bytes = { type: 'string', format: 'binary' } as const;
/** The documented 200 of a download: the file's own bytes, in one of the types an upload may have. */
export const Download = {
  description: 'The file (a name we made is in Content-Disposition)',
  content: { 'application/pdf': { schema: Bytes }, 'image/jpeg': { schema: Bytes }, 'image/png': { schema: Bytes } },
};

/** The documented 200 of a Server-Sent Events stream (`id:` and `data:` lines, data is JSON with ids only). */
export const EventStream = {
  description: 'A stream of `id: <n>` / `data: {"threadId": …}` events that stays open; send Last-Event-ID to resume',
  content: { 'text/event-stream': { schema: { type: 'string' } } },
};

/** Sends a decrypted file as a download with a name we made. */
export function sendFile(reply: FastifyReply, file: { mime: string; data: Buffer; downloadName: string }) {
  return reply
    .header('content-type', file.mime)
    .header('content-disposition', `attachment; filename="${file.downloadName}"`)
    .header('cache-control', 'no-store')
    .send(file.data);
}
