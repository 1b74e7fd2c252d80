import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textPdf } from '../fixtures/pdf-fixtures.js';
import { multipart, startTestServer, type TestServer } from '../helpers/test-server.js';
import { fakeBackend } from '../fakes/fake-backend.js';
import { rawRequest } from '../helpers/raw-http.js';

/** Requests a client can get wrong answer 4xx in pagemill's error shape, never 500 or Fastify's own shape. */
describe('status codes of bad requests', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ NUM_WORKERS: 1 }, { fake: fakeBackend() });
  });
  afterAll(() => server.close());

  const expectError = (res: { statusCode: number; json(): unknown; body: string }, status: number, code: string) => {
    expect(res.statusCode, res.body).toBe(status);
    expect(res.json()).toEqual({ detail: expect.any(String), code });
  };
  const post = (url: string, payload: Buffer | string, contentType: string) =>
    server.app.inject({ method: 'POST', url, payload, headers: { 'content-type': contentType } });

  describe.each(['/convert', '/upload'])('broken multipart bodies on %s → 400 validation_error', (url) => {
    const { payload, headers } = multipart({ name: 'a.pdf', data: textPdf([['Cut me']]) }, { prompt_mode: 'prompt_ocr' });

    it('no boundary', async () => expectError(await post(url, payload, 'multipart/form-data'), 400, 'validation_error'));
    it('a boundary the body does not use', async () => expectError(await post(url, payload, 'multipart/form-data; boundary=nope'), 400, 'validation_error'));
    it('an empty boundary', async () => {
      const res = await post(url, payload, 'multipart/form-data; boundary=');
      expect(res.statusCode).toBe(400); // no part can be found: missing_input
      expect(res.json()).toEqual({ detail: expect.any(String), code: expect.stringMatching(/^(validation_error|missing_input)$/) });
    });
    it('a body cut in the middle of the file', async () => {
      expectError(await post(url, payload.subarray(0, payload.length - 200), headers['content-type']), 400, 'validation_error');
    });
    it('a body cut inside the part headers', async () => {
      const cut = payload.indexOf('Content-Type: application/octet-stream');
      expectError(await post(url, payload.subarray(0, cut), headers['content-type']), 400, 'validation_error');
    });
    it('garbage', async () => expectError(await post(url, Buffer.from('\x00\xff--garbage\r\n\r\n'), headers['content-type']), 400, 'validation_error'));
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'])('result format=%s → 400 invalid_format', async (format) => {
    expectError(await server.app.inject({ url: `/conversions/00000000-0000-0000-0000-000000000000/result?format=${format}` }), 400, 'invalid_format');
  });

  it.each(['constructor', '__proto__', 'toString'])('convert with formats/prompt_mode/priority/ocr_mode=%s → 400', async (value) => {
    for (const field of ['formats', 'priority', 'ocr_mode', 'lang']) {
      const res = await server.app.inject({ method: 'POST', url: '/convert', ...multipart({ name: 'a.pdf', data: textPdf([['x']]) }, { [field]: value }) });
      expect(res.statusCode, `${field}=${value}: ${res.body}`).toBe(400);
    }
    const res = await server.app.inject({ method: 'POST', url: '/convert', ...multipart({ name: 'a.pdf', data: textPdf([['x']]) }, { prompt_mode: value }) });
    expectError(res, 400, 'invalid_prompt_mode');
  });

  it('form fields named like Object.prototype keys do not change the form', async () => {
    for (const name of ['__proto__', 'constructor', 'toString']) {
      // The multipart plugin refuses prototype keys as field names.
      const res = await server.app.inject({ method: 'POST', url: '/convert', ...multipart(null, { [name]: 'x', filename: 'missing.pdf' }) });
      expectError(res, 400, 'validation_error');
    }
    const urlencoded = (payload: string) => server.app.inject({ method: 'POST', url: '/convert', payload, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expectError(await urlencoded('constructor=b&toString=c&filename=missing.pdf'), 404, 'file_not_found');
    expectError(await urlencoded('__proto__[filename]=a&constructor=b'), 400, 'missing_input');
  });

  it('requests the HTTP parser refuses (bad request line, header bytes, 20 KB URL) answer in pagemill\'s shape', async () => {
    await server.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = server.app.server.address() as { port: number };
    const cases: [string, number, string][] = [
      [`GET /conversions/${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, 431, 'headers_too_large'],
      ['GET /a b c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 400, 'validation_error'],
      ['GET /health HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0000b\r\nConnection: close\r\n\r\n', 400, 'validation_error'],
    ];
    for (const [head, status, code] of cases) {
      const reply = await rawRequest(port, head);
      expect(reply.status).toBe(status);
      expect(JSON.parse(reply.body.toString())).toEqual({ detail: expect.any(String), code });
    }
  });

  it.each([
    '/conversions/' + 'a'.repeat(5000),
    '/conversion-status/' + 'a'.repeat(101),
    '/markdown/' + '文'.repeat(300),
    '/conversions/' + 'b'.repeat(200) + '/result',
  ])('an over-long path parameter → 4xx in pagemill\'s shape (%#)', async (url) => {
    const res = await server.app.inject({ url });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(res.json()).toEqual({ detail: expect.any(String), code: expect.any(String) });
  });
});
