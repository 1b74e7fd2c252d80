import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { htmlFooter, htmlHeader, htmlPage } from '../../src/outputs/html.js';
import { layoutPage, SPANNED_TABLE } from '../fixtures/layout-page.js';

/** The HTML document opened from disk in a real browser (Debian's chromium, as the web page tests use). */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let browser: Browser;
let dir: string;
beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-html-'));
});
afterAll(async () => {
  await browser?.close();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('the HTML document in a browser', () => {
  it('runs nothing a page\'s text tries, applies its own stylesheet, and keeps the table\'s spans', async () => {
    // Text a hostile scan could carry: markup that would run if it were not escaped.
    const page = layoutPage(1, [
      { lines: ['Heading <img src=x onerror="window.ran=1">'], top: 100, size: 40 },
      { lines: ['<script>window.ran = 2</script> and <iframe src="javascript:window.ran=3"></iframe> as plain text.'], top: 200 },
      { lines: ['Name Scores', 'Ann 1 2', '3 4'], top: 600, category: 'Table', table: SPANNED_TABLE },
    ]);
    const file = path.join(dir, 'doc.html');
    await fs.writeFile(file, htmlHeader('doc.pdf', 'c1') + htmlPage(page) + htmlFooter());
    const tab = await browser.newPage();
    const violations: string[] = [];
    tab.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
    const requests: string[] = [];
    tab.on('request', (r) => requests.push(r.url()));
    await tab.goto(pathToFileURL(file).href);
    expect(await tab.evaluate(() => (window as unknown as { ran?: number }).ran)).toBeUndefined();
    expect(await tab.locator('script, img, iframe').count()).toBe(0);
    expect(await tab.locator('h1').textContent()).toBe('Heading <img src=x onerror="window.ran=1">');
    // The stylesheet is allowed by its hash: the table's cells get their border.
    expect(await tab.locator('td').first().evaluate((td) => getComputedStyle(td).borderTopStyle)).toBe('solid');
    expect(violations).toEqual([]);
    expect(requests).toEqual([pathToFileURL(file).href]);
    expect(await tab.locator('th[colspan="2"]').count()).toBe(1);
    expect(await tab.locator('td[rowspan="2"]').textContent()).toBe('Ann');
    await tab.close();
  });
});
