import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scannedPdf } from './fixtures/pdf-fixtures.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

/** The web page, in a real browser: Debian's chromium driven by playwright-core (.ci/run installs it). */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOT = path.resolve(import.meta.dirname, '../test-results/web-page.png');

let t: TestServer;
let browser: Browser;
let url: string;
let dir: string;

beforeAll(async () => {
  t = await startTestServer();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}/`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-web-'));
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('the web page', () => {
  it('uploads, shows progress to 100 %, opens the result, and cancels a second job', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(120_000); // a deadline for a hung page, not a speed check
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('requestfailed', (r) => { if (!r.url().includes('/ws/')) problems.push(`${r.url()} ${r.failure()?.errorText}`); });
    await page.goto(url);
    await expect.poll(() => page.textContent('#pool')).toMatch(/workers busy/);

    const scan = path.join(dir, 'harbour-notice.pdf');
    await fs.writeFile(scan, await scannedPdf([['Harbour notice for all captains', 'Moor at the north quay'], ['Second page: fees are due monthly']]));
    await page.setInputFiles('#files', scan);
    const row = page.locator('tr', { hasText: 'harbour-notice.pdf' });
    await row.locator('.pct', { hasText: '100%' }).waitFor({ timeout: 300_000 });
    await expect.poll(() => row.getAttribute('class')).toBe('state-completed');
    expect(await row.locator('.results a').allTextContents()).toEqual(['txt', 'md', 'json', 'hocr', 'alto', 'html', 'chunks', 'pdf', 'zip']);
    const zipHref = await row.locator('.results a', { hasText: 'zip' }).getAttribute('href');
    const zip = await (await page.request.get(new URL(zipHref!, url).toString())).body();
    expect(zip.subarray(0, 4).toString('latin1')).toBe('PK\x03\x04');

    const txtHref = await row.locator('.results a', { hasText: 'txt' }).getAttribute('href');
    const txt = await (await page.request.get(new URL(txtHref!, url).toString())).text();
    expect(txt).toContain('captains');

    await row.getByRole('button', { name: 'View' }).click();
    await expect.poll(() => page.textContent('#page-text')).toContain('Harbour notice');
    await page.getByRole('button', { name: 'Next ›' }).click();
    await expect.poll(() => page.textContent('#page-text')).toContain('fees are due');
    await expect.poll(() => page.evaluate(() => (document.getElementById('page-image') as HTMLImageElement).naturalWidth)).toBeGreaterThan(100);

    const long = path.join(dir, 'long-report.pdf');
    await fs.writeFile(long, await scannedPdf(Array.from({ length: 30 }, (_, i) => [`Long report page ${i + 1}`])));
    await page.setInputFiles('#files', long);
    const longRow = page.locator('tr', { hasText: 'long-report.pdf' });
    await longRow.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => longRow.getAttribute('class'), { timeout: 120_000 }).toBe('state-cancelled');

    await fs.mkdir(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows a clear error for a file the server refuses', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    const bad = path.join(dir, 'notes.pdf');
    await fs.writeFile(bad, '<html>not a pdf</html>');
    await page.setInputFiles('#files', bad);
    await expect.poll(() => page.textContent('#submit-error')).toMatch(/notes\.pdf: Unsupported file type/);
    await page.close();
  });

  it('sends a URL to convert, and shows why the server refuses it', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    // The server is on loopback and SOURCE_URL_ALLOW is empty: its own address is refused.
    await page.fill('#source-url', new URL('/assets/app.css', url).toString());
    await page.getByRole('button', { name: 'Convert URL' }).click();
    await expect.poll(() => page.textContent('#submit-error')).toMatch(/assets\/app\.css: .*private or loopback.*SOURCE_URL_ALLOW/);
    await page.close();
  });

  it('is served with no external resources', async () => {
    const html = await (await fetch(url)).text();
    expect(html).not.toMatch(/https?:\/\//);
    const js = await (await fetch(new URL('/assets/app.js', url))).text();
    expect(js).not.toMatch(/https?:\/\//);
  });
});
