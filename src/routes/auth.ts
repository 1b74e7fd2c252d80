import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import { RateLimiter, type ApiKeys } from '../api-keys.js';
import type { Config } from '../config.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The API key's name; null when keys are off (everyone sees everything). */
    owner: string | null;
  }
}

/**
 * Routes anyone may call: liveness, readiness, metrics, the API description, the web page, and
 * the frontend's settings (a page reads them before it has a key; they hold no secret).
 */
const PUBLIC = [/^\/health$/, /^\/ready$/, /^\/metrics$/, /^\/docs(\/|$)/, /^\/$/, /^\/index\.html$/, /^\/config$/, /^\/assets\//];

function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header) return header;
  const auth = request.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  // Browsers cannot set headers on WebSockets or plain links: a query parameter is accepted too.
  const q = (request.query as Record<string, unknown> | undefined)?.api_key;
  return typeof q === 'string' && q ? q : undefined;
}

/** With API keys on, every non-public request needs a valid key and stays within its rate. */
export function registerAuth(app: FastifyInstance, keys: ApiKeys, config: Config): void {
  app.decorateRequest('owner', null);
  if (!keys.enabled) return;
  const limiter = new RateLimiter(config.RATE_LIMIT_PER_MINUTE);
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0]!;
    if (PUBLIC.some((re) => re.test(path))) return;
    const key = presentedKey(request);
    const name = key ? keys.identify(key) : null;
    if (!name) throw new AppError('unauthorized');
    const wait = limiter.take(name);
    if (wait > 0) throw new AppError('rate_limited', `Rate limit of ${config.RATE_LIMIT_PER_MINUTE} requests per minute reached; retry in ${wait} s.`, { 'retry-after': String(wait) });
    request.owner = name;
  });
}
