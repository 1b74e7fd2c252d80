import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textPdf } from '../fixtures/pdf-fixtures.js';
import { until } from '../helpers/poll.js';
import { rawRequest, type RawReply } from '../helpers/raw-http.js';
import { spawnServer, type ServerProcess } from '../helpers/server-process.js';
import { tempDirs } from '../helpers/temp-dirs.js';

/**
 * A bounded property test of the whole HTTP surface against a real server process: random
 * methods, paths and path parameters, query strings, headers, urlencoded, JSON, raw and multipart
 * bodies (broken boundaries, cut bodies, Unicode/NUL/RTL/very long names and values). Every reply
 * must be 2xx or 4xx, every error in pagemill's shape, and the process must stay up and working.
 */
const temp = tempDirs('pagemill-fuzz-');
const PDF = textPdf([['Fuzz']]);
let server: ServerProcess;
let port: number;

beforeAll(async () => {
  server = await spawnServer({ ...(await temp.serverDirs()), NUM_WORKERS: '1', PAGE_TIMEOUT_S: '30' });
  port = Number(new URL(server.url).port);
}, 90_000);
afterAll(async () => {
  server?.child.kill('SIGKILL');
  await server?.exited;
  await temp.cleanup();
});

/** Every byte percent-encoded (lone surrogates become U+FFFD first). */
const pct = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

const nasty = fc.constantFrom(
  '', ' ', '文'.repeat(90), `${'文'.repeat(80)}.pdf`, 'שלום عربي \u202Eevil\u202C.pdf', 'a\u0000b', '..', '../../etc/passwd', '__proto__',
  'constructor', 'toString', 'hasOwnProperty', '%00', 'x'.repeat(5000), '\uFEFF', 'CON', 'a/b', 'a\\b', '"quoted"', 'line\r\nbreak', '\uD800',
);
const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 120 }), nasty);
const seg = text.map(pct);
const rawAscii = fc.string({ unit: 'binary-ascii', maxLength: 30 });

const path = fc.oneof(
  fc.constantFrom('/convert', '/upload', '/documents', '/stats', '/health', '/ready', '/worker-pool-status', '/conversions', '/languages', '/config', '/metrics', '/'),
  seg.map((s) => `/conversions/${s}`),
  fc.tuple(seg, text).map(([id, f]) => `/conversions/${id}/result?format=${pct(f)}`),
  fc.tuple(seg, seg).map(([id, n]) => `/conversions/${id}/pages/${n}`),
  seg.map((s) => `/conversions/${s}/cancel`),
  seg.map((s) => `/cancel-job/${s}`),
  seg.map((s) => `/conversion-status/${s}`),
  fc.tuple(seg, text).map(([s, p]) => `/markdown/${s}?page_no=${pct(p)}`),
  seg.map((s) => `/markdown-files/${s}`),
  fc.tuple(seg, text).map(([s, p]) => `/image/${s}?page_no=${pct(p)}`),
  fc.tuple(text, text, text).map(([a, b, c]) => `/conversions?status=${pct(a)}&limit=${pct(b)}&offset=${pct(c)}`),
  seg.map((s) => `/${s}`),
  rawAscii.map((s) => `/${s.replace(/[\r\n]/g, '')}`), // unencoded: may be an invalid request line
);

const headerName = fc.oneof(
  fc.constantFrom('idempotency-key', 'x-request-id', 'x-api-key', 'authorization', 'accept', 'accept-encoding', 'origin', 'range', 'if-none-match', 'cookie', 'upgrade'),
  fc.stringMatching(/^[A-Za-z0-9-]{1,20}$/).filter((n) => !/^(content-length|transfer-encoding|connection|host|expect)$/i.test(n)),
);
const headerValue = fc.oneof(fc.string({ unit: 'binary-ascii', maxLength: 60 }), fc.string({ unit: 'grapheme', maxLength: 30 }), nasty)
  .map((v) => v.replace(/[\r\n]/g, ''));
const headers = fc.array(fc.tuple(headerName, headerValue), { maxLength: 4 });

type Body = { contentType?: string; bytes: Buffer };
const fieldName = fc.oneof(fc.constantFrom('file', 'filename', 'formats', 'prompt_mode', 'priority', 'lang', 'pages', 'ocr_mode', 'password', 'callback_url'), text);

function multipartBody(fields: [string, string][], file: { name: string; data: Buffer } | null, mode: string, cut: number): Body {
  const boundary = 'fuzzBoundary0123';
  const parts: Buffer[] = [];
  for (const [k, v] of fields) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: application/pdf\r\n\r\n`));
    parts.push(file.data, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  let bytes = Buffer.concat(parts);
  if (mode === 'cut') bytes = bytes.subarray(0, cut % (bytes.length + 1));
  const contentType = mode === 'no-boundary' ? 'multipart/form-data' : mode === 'wrong-boundary' ? 'multipart/form-data; boundary=other' : `multipart/form-data; boundary=${boundary}`;
  return { contentType, bytes };
}

const body: fc.Arbitrary<Body> = fc.oneof(
  fc.constant({ bytes: Buffer.alloc(0) }),
  fc.array(fc.tuple(fieldName, text), { maxLength: 6 }).map((pairs) => ({
    contentType: 'application/x-www-form-urlencoded',
    bytes: Buffer.from(pairs.map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&')),
  })),
  fc.tuple(
    fc.array(fc.tuple(fieldName, text), { maxLength: 5 }),
    fc.option(fc.record({ name: text, data: fc.oneof(fc.constant(PDF), fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a)), fc.constant(Buffer.alloc(0))) })),
    fc.constantFrom('ok', 'ok', 'cut', 'no-boundary', 'wrong-boundary'),
    fc.nat(),
  ).map(([fields, file, mode, cut]) => multipartBody(fields, file, mode, cut)),
  fc.jsonValue({ maxDepth: 3 }).map((v) => ({ contentType: 'application/json', bytes: Buffer.from(JSON.stringify(v) ?? 'null') })),
  fc.tuple(fc.uint8Array({ maxLength: 300 }), fc.oneof(headerValue, fc.constantFrom('application/json', 'text/plain', 'multipart/form-data; boundary=x')))
    .map(([a, contentType]) => ({ contentType, bytes: Buffer.from(a) })),
);

/** Printable ASCII: headers the HTTP parser accepts, so the request reaches the routes. */
const cleanHeaders = fc.array(fc.tuple(headerName, fc.string({ unit: 'grapheme-ascii', maxLength: 60 })), { maxLength: 3 });
const intake = fc.oneof(multipartIntake(), body);
function multipartIntake(): fc.Arbitrary<Body> {
  return fc.tuple(
    fc.array(fc.tuple(fieldName, text), { maxLength: 4 }),
    fc.record({ name: text, data: fc.oneof(fc.constant(PDF), fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a))) }),
  ).map(([fields, file]) => multipartBody(fields, file, 'ok', 0));
}

const request = fc.oneof(
  // Mostly requests that reach the intake routes, the ones that write files …
  { weight: 3, arbitrary: fc.record({ method: fc.constant('POST'), path: fc.constantFrom('/convert', '/upload'), headers: cleanHeaders, body: intake }) },
  // … reads of every route with hostile parameters …
  { weight: 2, arbitrary: fc.record({ method: fc.constantFrom('GET', 'DELETE', 'POST', 'HEAD'), path, headers: cleanHeaders, body: fc.constant({ bytes: Buffer.alloc(0) }) }) },
  // … and anything at all.
  {
    weight: 2,
    arbitrary: fc.record({ method: fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD'), path, headers, body }),
  },
);

function send(r: { method: string; path: string; headers: [string, string][]; body: Body }): Promise<RawReply> {
  const lines = [`${r.method} ${r.path} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Connection: close'];
  for (const [k, v] of r.headers) lines.push(`${k}: ${v}`);
  if (r.body.contentType !== undefined) lines.push(`Content-Type: ${r.body.contentType}`);
  if (r.body.bytes.length || r.method !== 'GET') lines.push(`Content-Length: ${r.body.bytes.length}`);
  // Header values are sent as UTF-8 bytes: non-ASCII header bytes are part of the test.
  return rawRequest(port, Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8'), r.body.bytes);
}

describe('HTTP surface under random input', () => {
  it('answers every request with 2xx or 4xx in pagemill\'s error shape; the server stays up and still converts', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const reply = await send(r);
        const what = `${r.method} ${r.path.slice(0, 200)} → ${reply.status} ${reply.body.toString('utf8').slice(0, 300)}`;
        expect(reply.status, what).toBeGreaterThanOrEqual(200);
        expect(reply.status, what).toBeLessThan(500);
        if (reply.status >= 400 && r.method !== 'HEAD') {
          expect(JSON.parse(reply.body.toString('utf8')), what).toEqual(expect.objectContaining({ detail: expect.any(String), code: expect.any(String) }));
        }
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 200), endOnFailure: true },
    );

    expect(server.child.exitCode).toBeNull();
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(PDF)]), 'after-fuzz.pdf');
    const { conversion_id: id } = (await (await fetch(`${server.url}/convert`, { method: 'POST', body: form })).json()) as { conversion_id: string };
    let status = '';
    await until(async () => {
      status = ((await (await fetch(`${server.url}/conversion-status/${id}`)).json()) as { status: string }).status;
      return ['completed', 'error', 'cancelled'].includes(status);
    }, () => `the conversion after the fuzz ending (still ${status})`, 60_000, 100);
    expect(status).toBe('completed');
    expect(server.logs.filter((l) => (l.level as number) >= 60)).toEqual([]);
  }, 120_000);
});
