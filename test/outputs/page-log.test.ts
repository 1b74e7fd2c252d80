import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PageLogs } from '../../src/outputs/page-log.js';
import { tempDirs } from '../helpers/temp-dirs.js';

const temp = tempDirs('pagemill-page-log-');
afterAll(() => temp.cleanup());

const logFile = async () => path.join(await temp.make(), 'pages.log');
const page = (n: number, tag = '') => JSON.stringify({ page_no: n, text: `page ${n}${tag} — ünïcödé, "quoted", #3 7\n` });

describe('PageLogs', () => {
  it('reads back each page appended, in any order, and the last record of a page written twice', async () => {
    const file = await logFile();
    const logs = new PageLogs();
    for (const n of [3, 1, 2]) await logs.append(file, n, page(n));
    await logs.append(file, 2, page(2, ' again'));
    expect(await logs.read(file, 1)).toBe(page(1));
    expect(await logs.read(file, 2)).toBe(page(2, ' again'));
    expect(await logs.read(file, 3)).toBe(page(3));
    expect(await logs.read(file, 4)).toBeNull();
  });

  it('keeps every page of appends made at once', async () => {
    const file = await logFile();
    const logs = new PageLogs();
    const pages = Array.from({ length: 40 }, (_, i) => i + 1);
    await Promise.all(pages.map((n) => logs.append(file, n, page(n).repeat(n % 7 ? 1 : 500))));
    const back = await Promise.all(pages.map((n) => logs.read(file, n)));
    expect(back).toEqual(pages.map((n) => page(n).repeat(n % 7 ? 1 : 500)));
  });

  it('finds the pages from the file alone after a restart', async () => {
    const file = await logFile();
    const before = new PageLogs();
    for (const n of [1, 2, 1]) await before.append(file, n, page(n, `@${n}`));
    const after = new PageLogs();
    expect(await after.read(file, 1)).toBe(page(1, '@1'));
    expect(await after.read(file, 2)).toBe(page(2, '@2'));
  });

  it('ignores a record cut short, and cuts it off before appending the next', async () => {
    const file = await logFile();
    const logs = new PageLogs();
    await logs.append(file, 1, page(1));
    // A crash while page 2 was being written: its header and part of its JSON reached the disk.
    const cut = `#2 ${Buffer.byteLength(page(2))}\n${page(2).slice(0, 10)}`;
    await fs.appendFile(file, cut);
    const restarted = new PageLogs();
    expect(await restarted.read(file, 1)).toBe(page(1));
    expect(await restarted.read(file, 2)).toBeNull();
    await restarted.append(file, 2, page(2));
    expect(await restarted.read(file, 2)).toBe(page(2));
    const record = (n: number) => `#${n} ${Buffer.byteLength(page(n))}\n${page(n)}\n`;
    expect(await fs.readFile(file, 'utf8')).toBe(record(1) + record(2));
    const again = new PageLogs();
    expect([await again.read(file, 1), await again.read(file, 2)]).toEqual([page(1), page(2)]);
  });

  it('believes a file shorter than what it wrote, and never pads it', async () => {
    const file = await logFile();
    const logs = new PageLogs();
    await logs.append(file, 1, page(1));
    const firstRecord = (await fs.stat(file)).size;
    await logs.append(file, 2, page(2));
    await fs.truncate(file, firstRecord); // page 2 lost behind the process's back
    await logs.append(file, 3, page(3));
    expect(await logs.read(file, 2)).toBeNull();
    expect([await logs.read(file, 1), await logs.read(file, 3)]).toEqual([page(1), page(3)]);
    expect(await fs.readFile(file, 'utf8')).not.toContain('\0');
    const restarted = new PageLogs();
    expect([await restarted.read(file, 1), await restarted.read(file, 2), await restarted.read(file, 3)]).toEqual([page(1), null, page(3)]);
  });

  it('has no pages for a log that does not exist, or was removed and forgotten', async () => {
    const file = await logFile();
    const logs = new PageLogs();
    expect(await logs.read(file, 1)).toBeNull();
    await logs.append(file, 1, page(1));
    await fs.rm(file);
    logs.forget(file);
    expect(await logs.read(file, 1)).toBeNull();
  });

  it('fails an append whose folder is gone, and still works for the next log', async () => {
    const file = path.join(await temp.make(), 'gone', 'pages.log');
    const logs = new PageLogs();
    await expect(logs.append(file, 1, page(1))).rejects.toMatchObject({ code: 'ENOENT' });
    const other = await logFile();
    await logs.append(other, 1, page(1));
    expect(await logs.read(other, 1)).toBe(page(1));
  });
});
