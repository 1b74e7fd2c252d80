import type { FastifyError } from 'fastify';
import { AppError, ERRORS, errorBody, type ErrorBody, type ErrorCode } from '../errors.js';
import { isDiskWide, storageCodeOf } from '../storage-errors.js';

/** Fastify and @fastify/multipart errors a client can cause, mapped onto our codes. */
const FRAMEWORK_ERRORS: Record<string, ErrorCode> = {
  FST_REQ_FILE_TOO_LARGE: 'file_too_large',
  FST_ERR_CTP_BODY_TOO_LARGE: 'file_too_large',
  FST_PARTS_LIMIT: 'too_many_parts',
  FST_FILES_LIMIT: 'too_many_parts',
  FST_FIELDS_LIMIT: 'too_many_parts',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'validation_error',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'validation_error',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'validation_error',
  FST_ERR_VALIDATION: 'validation_error',
};

export interface ErrorReply {
  status: number;
  headers: Record<string, string>;
  body: ErrorBody;
  /** A bug or a server fault: the caller logs it (its text never reaches the client). */
  logAsError: boolean;
  /** The database's disk is full or read-only: the server is not ready until writes work again. */
  databaseStorage: boolean;
}

const reply = (code: ErrorCode, detail?: string, more: Partial<ErrorReply> = {}): ErrorReply => ({
  status: ERRORS[code].status, headers: {}, body: errorBody(code, detail), logAsError: false, databaseStorage: false, ...more,
});

/**
 * The one place an error becomes an HTTP reply: our AppErrors as they are, a full or read-only disk
 * as its storage code (507: the operator's to fix, not a bug), what Fastify and its plugins raise
 * for a bad request as our 4xx codes, and anything else as a 500 with no internal text.
 */
export function errorReply(err: unknown): ErrorReply {
  if (err instanceof AppError) return reply(err.code, err.message, { headers: err.headers, logAsError: err.status >= 500 });
  const e = err as Partial<FastifyError>;
  // Only the database makes the whole server unready from here: a read-only INPUT_DIR refusing
  // /upload must not stop conversions (the conversions' own writes report their folders).
  const storage = storageCodeOf(err);
  if (storage && isDiskWide(err)) return reply(storage, undefined, { databaseStorage: e.code?.startsWith('SQLITE_') ?? false });
  const mapped = FRAMEWORK_ERRORS[e.code ?? ''] ?? (e.validation ? 'validation_error' : undefined);
  if (mapped) return reply(mapped, mapped === 'validation_error' ? e.message : undefined);
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return { ...reply('validation_error', e.message), status: e.statusCode };
  return reply('internal_error', undefined, { logAsError: true });
}

/** Errors Fastify raises before routing: a bad URL, a path parameter over maxParamLength. */
export function routingErrorReply(err: Partial<FastifyError>): ErrorReply {
  return err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? reply('uri_too_long') : reply('validation_error', 'The URL is not valid.');
}

/**
 * The multipart parser reports a broken body (no or wrong boundary, cut off mid-part) with plain
 * errors that carry no code: that is the client's mistake, a 400. Our own errors, the plugin's
 * limits (FST_*) and storage failures (the upload could not be written) keep their meaning.
 */
export function multipartBodyError(err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (err instanceof AppError || (typeof code === 'string' && (code.startsWith('FST_') || storageCodeOf(err)))) return err;
  const detail = 'The multipart body could not be read (missing or wrong boundary, or cut off); send a complete multipart/form-data body.';
  return new AppError('validation_error', detail);
}
