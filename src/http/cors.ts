import type { FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import { AppError } from '../errors.js';
import type { Config } from '../config.js';

/** Headers a browser script may read from our replies (request ids, back-off, download names). */
const EXPOSED_HEADERS = ['X-Request-Id', 'Retry-After', 'Content-Disposition'];
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * `*` (any origin) or the list of allowed origins from CORS_ORIGINS. Only a `*` means any: an
 * operator who empties the setting means no cross-origin browser access, not everyone's (an
 * unset CORS_ORIGINS is `*` by config's default, as the older backend's clients need).
 */
export function allowedOrigins(config: Config): '*' | string[] {
  const list = config.CORS_ORIGINS.split(',').map((o) => o.trim().replace(/\/+$/, '')).filter(Boolean);
  return list.includes('*') ? '*' : list;
}

/**
 * A page served by this server itself (the web page): browsers send Origin on same-origin
 * WebSocket upgrades too, and CORS_ORIGINS — about other sites — must not lock the server's own
 * page out of its progress stream.
 */
export function isSameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (!origin || !host) return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}

export function isOriginAllowed(origins: '*' | string[], origin: string | undefined): boolean {
  // No Origin header: not a browser page (curl, a CLI, a server), which CORS does not concern.
  return origin === undefined || origins === '*' || origins.includes(origin);
}

/**
 * CORS for browser pages served elsewhere (the older frontend runs on its own origin and sends
 * custom headers, so every call is preflighted). Must be registered before the API-key hook: the
 * plugin answers preflights in its own onRequest hook, and a reply sent there skips the hooks
 * after it — browsers never send credentials on a preflight, while the real request still needs
 * its key. Request headers are reflected, so any header a client sends is allowed.
 */
export async function registerCors(app: FastifyInstance, config: Config): Promise<void> {
  const origins = allowedOrigins(config);
  await app.register(cors, {
    origin: origins,
    methods: METHODS,
    // allowedHeaders left unset: the plugin then reflects Access-Control-Request-Headers.
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
    // A bare OPTIONS (no Origin) is not a preflight; let it answer 204 instead of 400.
    strictPreflight: false,
  });
  // Browsers do not preflight WebSockets, and the same-origin policy does not apply to them: the
  // server must check Origin itself, before the upgrade, or any site could read progress frames.
  app.addHook('onRequest', async (request) => {
    if (request.headers.upgrade?.toLowerCase() !== 'websocket') return;
    const { origin, host } = request.headers;
    if (!isOriginAllowed(origins, origin) && !isSameOrigin(origin, host)) throw new AppError('origin_not_allowed');
  });
}
