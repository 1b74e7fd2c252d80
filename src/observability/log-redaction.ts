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
const SECRET_NAMES = new Set(SECRET_PARAMS);
// `name=` after ?, & or ;: the name is judged decoded (below), not by the pattern. The value is
// not part of the match, so a URL inside a value (a callback's `?token=`) is searched too.
const PARAM_NAME = /[?&;]([^=&;#?\s"']+)=/g;
const VALUE_END = /[&;#\s"']/g;
const URL_CREDENTIALS = /(\b[a-z][a-z0-9+.-]*:\/\/)[^/?#\s@"']+@/gi;
export const REDACTED = '[REDACTED]';

/**
 * A parameter name as the server reads it: Fastify percent-decodes names, so `?api%5Fkey=` is an
 * API key too. Only %XX escapes of single bytes are decoded, one by one, so a malformed escape
 * (decodeURIComponent throws on `%E0%A4%A`) stays as it is instead of throwing out of a log call;
 * every secret name is ASCII, so a multi-byte character decoded wrongly cannot hide one.
 */
const decodedName = (name: string) =>
  name.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))).toLowerCase();

function redactQueryValues(text: string): string {
  let out = '';
  let copied = 0;
  for (const m of text.matchAll(PARAM_NAME)) {
    // A match inside a value already redacted is gone with it.
    if (m.index < copied || !SECRET_NAMES.has(decodedName(m[1]!))) continue;
    const valueStart = m.index + m[0].length;
    VALUE_END.lastIndex = valueStart;
    const valueEnd = VALUE_END.exec(text)?.index ?? text.length;
    out += text.slice(copied, valueStart) + REDACTED;
    copied = valueEnd;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

export function redactSecrets(text: string): string {
  return redactQueryValues(text.replace(URL_CREDENTIALS, `$1${REDACTED}@`));
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
