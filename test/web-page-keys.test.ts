import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textPdf } from './fixtures/pdf-fixtures.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const KEY = 'browser-key-0123456789abcdef';

let t: TestServer;
let browser: Browser;
let url: string;
let dir: string;

beforeAll(async () => {
  t = await startTestServer({ API_KEYS: `web:${KEY}` });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}/`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-web-keys-'));
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('the web page with an API key', () => {
  it('puts the key in no URL but the WebSocket\'s, and still downloads and shows page images', async () => {
    const page = await browser.newPage({ acceptDownloads: true });
    const urls: string[] = [];
    page.on('request', (r) => urls.push(r.url()));
    page.on('websocket', (ws) => urls.push(ws.url()));
    await page.goto(url);
    await page.fill('#api-key', KEY);
    await page.dispatchEvent('#api-key', 'change');
    await expect.poll(() => page.textContent('#pool')).toMatch(/workers busy/);

    const file = path.join(dir, 'keyed.pdf');
    await fs.writeFile(file, textPdf([['Downloaded with a header, not a query']]));
    await page.setInputFiles('#files', file);
    const row = page.locator('tr', { hasText: 'keyed.pdf' });
    await row.locator('.pct', { hasText: '100%' }).waitFor({ timeout: 60_000 });
    expect(await row.locator('.results a', { hasText: 'txt' }).getAttribute('href')).not.toContain('api_key');

    const [download] = await Promise.all([page.waitForEvent('download'), row.locator('.results a', { hasText: 'txt' }).click()]);
    expect(await fs.readFile((await download.path())!, 'utf8')).toContain('Downloaded with a header');

    await row.getByRole('button', { name: 'View' }).click();
    await expect.poll(() => page.evaluate(() => (document.getElementById('page-image') as HTMLImageElement).naturalWidth)).toBeGreaterThan(100);

    const withKey = urls.filter((u) => u.includes(KEY));
    expect(withKey.length).toBeGreaterThan(0);
    for (const u of withKey) expect(new URL(u).pathname, u).toBe('/ws/conversions');
    await page.close();
  });
});
