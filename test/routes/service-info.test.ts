import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { fakeBackend } from '../fakes/fake-backend.js';
import { prefersJson } from '../../src/routes/service-info.js';

const KEY_MARKER = 'KEYMARKER-0123456789abcdef';
const SECRET_MARKER = 'WEBHOOKSECRETMARKER-42';

describe('GET /config and GET / for JSON clients', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ NUM_WORKERS: 1, API_KEYS: `ops:${KEY_MARKER}`, WEBHOOK_SECRET: SECRET_MARKER }, { fake: fakeBackend() });
  });
  afterAll(async () => t?.close());

  it('answers the older backend\'s six frontend fields with its defaults, and the OCR settings', async () => {
    const res = await t.app.inject({ url: '/config' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      basePath: '',
      appDomain: 'http://localhost:3000',
      apiDomain: 'http://localhost:8080',
      iamDomain: 'http://localhost:5000',
      clientId: 'dots-ocr-app',
      iamScope: 'openid profile email',
      num_workers: 1,
      num_thread: 1,
      dpi: 150,
      max_upload_mb: 200,
    });
    expect(body.languages).toContain('eng');
    expect(body.formats).toEqual(expect.arrayContaining(['txt', 'md', 'json', 'hocr', 'alto', 'pdf']));
    expect(body.prompt_modes).toContain('prompt_layout_all_en');
  });

  it('never contains an API key or the webhook secret', async () => {
    const res = await t.app.inject({ url: '/config' });
    expect(res.body).not.toContain(KEY_MARKER);
    expect(res.body).not.toContain(SECRET_MARKER);
    expect(res.body).not.toMatch(/KEYMARKER|WEBHOOKSECRET/);
  });

  it('serves the web page to browsers and the service description to JSON clients', async () => {
    const page = await t.app.inject({ url: '/', headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toMatch(/<html/i);
    expect((await t.app.inject({ url: '/' })).headers['content-type']).toMatch(/text\/html/);

    const json = await t.app.inject({ url: '/', headers: { accept: 'application/json' } });
    expect(json.statusCode).toBe(200);
    expect(json.json()).toMatchObject({ name: 'pagemill', version: expect.any(String), description: expect.any(String) });
    expect(json.json().endpoints).toMatchObject({ convert: '/convert', health: '/health', config: '/config' });
  });
});

describe('GET /config from the environment', () => {
  it('takes the six fields from BASE_PATH, APP_DOMAIN, API_DOMAIN, IAM_DOMAIN, CLIENT_ID, IAM_SCOPE', async () => {
    const t = await startTestServer({
      NUM_WORKERS: 1, BASE_PATH: '/ocr', APP_DOMAIN: 'https://app.example', API_DOMAIN: 'https://api.example',
      IAM_DOMAIN: 'https://iam.example', CLIENT_ID: 'my-client', IAM_SCOPE: 'openid',
    }, { fake: fakeBackend() });
    try {
      expect((await t.app.inject({ url: '/config' })).json()).toMatchObject({
        basePath: '/ocr', appDomain: 'https://app.example', apiDomain: 'https://api.example',
        iamDomain: 'https://iam.example', clientId: 'my-client', iamScope: 'openid',
      });
    } finally {
      await t.close();
    }
  });
});

describe('prefersJson', () => {
  it('picks JSON only when it is preferred over HTML', () => {
    expect(prefersJson('application/json')).toBe(true);
    expect(prefersJson('application/json, text/plain, */*')).toBe(true);
    expect(prefersJson('text/html;q=0.5, application/json')).toBe(true);
    expect(prefersJson('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8')).toBe(false);
    expect(prefersJson('*/*')).toBe(false);
    expect(prefersJson(undefined)).toBe(false);
    expect(prefersJson('text/html, application/json')).toBe(false);
  });
});
