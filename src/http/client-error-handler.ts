import type { Socket } from 'node:net';
import { ERRORS, errorBody, type ErrorCode } from '../errors.js';

/**
 * Requests Node's HTTP parser rejects before Fastify sees them (an invalid request line, a bad
 * header byte, headers too large, a request too slow) get pagemill's error shape, like every
 * other error. Same cases as Fastify's default handler, which answers in its own shape.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const code: ErrorCode = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'request_timeout'
    : err.code === 'HPE_HEADER_OVERFLOW' ? 'headers_too_large'
      : 'validation_error';
  const detail = code === 'validation_error' ? 'The HTTP request is malformed (request line or headers).' : undefined;
  const body = JSON.stringify(errorBody(code, detail));
  const { status } = ERRORS[code];
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`
      + `Content-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(err);
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};
