import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textPdf } from '../fixtures/pdf-fixtures.js';
import { fakeBackend } from '../fakes/fake-backend.js';
import { startTestServer, submitFile, waitForEnd, type TestServer } from '../helpers/test-server.js';

describe('GET /conversions/:id/result for a non-Latin file name', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({}, { fake: fakeBackend() });
  });
  afterAll(async () => t?.close());

  it('answers 200 with an RFC 6266 attachment header carrying the UTF-8 name', async () => {
    const { status, body } = await submitFile(t.app, '文档.pdf', textPdf([['Chinese named document']]));
    expect(status).toBe(200);
    expect((await waitForEnd(t.app, body.conversion_id)).status).toBe('completed');
    const res = await t.app.inject({ url: `/conversions/${body.conversion_id}/result?format=txt` });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Page 1 text'); // as the fake backend reads it
    const header = String(res.headers['content-disposition']);
    expect(header).toMatch(/^attachment; filename="[\x20-\x7e]+\.txt"; filename\*=UTF-8''/);
    expect(decodeURIComponent(header.split("UTF-8''")[1]!)).toBe('文档.txt');
  });
});
