import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import { RateLimiter, type ApiKeys } from '../security/api-keys.js';
import type { Config } from '../config.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The API key's name; null when keys are off (everyone sees everything). */
    owner: string | null;
    /** An ADMIN_API_KEYS key: sees server-wide totals (stats, pool) and Bull Board. Without keys everyone does. */
    admin: boolean;
  }
}

/**
 * Routes anyone may call: liveness, readiness, metrics, the API description, the web page, and
 * the frontend's settings (a page reads them before it has a key; they hold no secret).
 */
const PUBLIC = [/^\/health$/, /^\/ready$/, /^\/metrics$/, /^\/docs(\/|$)/, /^\/$/, /^\/index\.html$/, /^\/config$/, /^\/assets\//,
  // Worker nodes' routes: authenticated by CLUSTER_SECRET in the route itself, not by an API key.
  /^\/internal\//];

function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header) return header;
  const auth = request.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  // Browsers cannot set headers on WebSockets or plain links: a query parameter is accepted too.
  const q = (request.query as Record<string, unknown> | undefined)?.api_key;
  return typeof q === 'string' && q ? q : undefined;
}

/** Whose numbers a caller sees in stats and pool status: its own, or everyone's (null) for admins and without keys. */
export const statsScope = (request: FastifyRequest): string | null => (request.admin ? null : request.owner);

/** With API keys on, every non-public request needs a valid key and stays within its rate. */
export function registerAuth(app: FastifyInstance, keys: ApiKeys, config: Config): void {
  app.decorateRequest('owner', null);
  app.decorateRequest('admin', false);
  if (!keys.enabled) return;
  const limiter = new RateLimiter(config.RATE_LIMIT_PER_MINUTE);
  // Wrong keys per client address: past the limit, every keyed request from it waits out the
  // minute (the right key too, or guessing would go on with a tell-tale answer for a hit).
  const failures = new RateLimiter(config.AUTH_FAILURES_PER_MINUTE);
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0]!;
    if (PUBLIC.some((re) => re.test(path))) return;
    const key = presentedKey(request);
    const locked = key ? failures.blocked(request.ip) : 0;
    if (locked > 0) throw new AppError('auth_rate_limited', undefined, { 'retry-after': String(locked) });
    const who = key ? keys.identify(key) : null;
    if (!who) {
      if (key) failures.take(request.ip);
      throw new AppError('unauthorized');
    }
    const wait = limiter.take(who.name);
    if (wait > 0) throw new AppError('rate_limited', `Rate limit of ${config.RATE_LIMIT_PER_MINUTE} requests per minute reached; retry in ${wait} s.`, { 'retry-after': String(wait) });
    request.owner = who.name;
    request.admin = who.admin;
  });
}
