import pino from 'pino';

/**
 * Secrets never reach a log line: API keys in `?api_key=`, tokens and signatures in query strings
 * (request URLs, webhook URLs) and credentials in `user:pass@` URLs are replaced with [REDACTED].
 * Works on whole URLs, on path+query and on free text, so it can run over any logged string.
 */
const SECRET_PARAMS = [
  'api_key', 'apikey', 'api-key', 'key', 'token', 'access_token', 'refresh_token', 'id_token', 'auth', 'password', 'passwd',
  'pass', 'pwd', 'secret', 'client_secret', 'signature', 'sig', 'x-amz-signature', 'x-amz-credential', 'x-amz-security-token',
  'session', 'code',
];
const QUERY_SECRET = new RegExp(`([?&;](?:${SECRET_PARAMS.map((p) => p.replace(/-/g, '\\-')).join('|')})=)[^&;#\\s"']*`, 'gi');
const URL_CREDENTIALS = /(\b[a-z][a-z0-9+.-]*:\/\/)[^/?#\s@"']+@/gi;
export const REDACTED = '[REDACTED]';

export function redactSecrets(text: string): string {
  return text.replace(URL_CREDENTIALS, `$1${REDACTED}@`).replace(QUERY_SECRET, `$1${REDACTED}`);
}

const redactValue = (v: unknown) => (typeof v === 'string' ? redactSecrets(v) : v);

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/**
 * Fastify's request serializer with the URL redacted; plus the fields that carry webhook URLs.
 * Serializers of the logger handed to Fastify win over Fastify's own.
 */
export const logSerializers = {
  req: (req: LoggedRequest) => ({
    method: req.method,
    url: redactValue(req.url),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  }),
  err: (err: Error) => {
    const out = pino.stdSerializers.err(err);
    return { ...out, message: redactSecrets(out.message ?? ''), stack: redactSecrets(out.stack ?? '') };
  },
  url: redactValue,
  webhook: redactValue,
  callbackUrl: redactValue,
  callback_url: redactValue,
};

/** Every top-level string of a log line, scrubbed: the net under fields nobody thought of. */
export function redactLogObject(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = redactValue(v);
  return out;
}
