import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileWriter } from '../../src/outputs/file-writer.js';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-writer-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const names = async () => (await fs.readdir(dir)).sort();

describe('the file writer thread', () => {
  it('writes text and bytes under their names, replacing what was there, with no temporary file left', async () => {
    const a = path.join(dir, 'a.md');
    const b = path.join(dir, 'b.bin');
    await fs.writeFile(a, 'old text, longer than the new one');
    await fileWriter.run([{ op: 'write', file: a, data: 'Straße — “new” ﬁ\n' }, { op: 'write', file: b, data: new Uint8Array([0, 255, 7]) }]);
    expect(await fs.readFile(a, 'utf8')).toBe('Straße — “new” ﬁ\n');
    expect([...(await fs.readFile(b))]).toEqual([0, 255, 7]);
    expect(await names()).toEqual(['a.md', 'b.bin']);
  });

  it('links a second name to the same file, or writes the given text where the link fails', async () => {
    const a = path.join(dir, 'a.md');
    await fileWriter.run([{ op: 'write', file: a, data: 'text' }, { op: 'link', existing: a, file: path.join(dir, 'b.md') }]);
    expect((await fs.stat(path.join(dir, 'b.md'))).ino).toBe((await fs.stat(a)).ino);
    await fileWriter.run([{ op: 'link', existing: path.join(dir, 'gone.md'), file: path.join(dir, 'c.md'), data: 'copy' }]);
    expect(await fs.readFile(path.join(dir, 'c.md'), 'utf8')).toBe('copy');
    expect(await names()).toEqual(['a.md', 'b.md', 'c.md']);
  });

  it('fails with the errno code of the first failed step, leaves nothing behind, and the next request works', async () => {
    const missing = path.join(dir, 'no-such-folder', 'a.md');
    const steps = [{ op: 'write' as const, file: missing, data: 'x' }, { op: 'write' as const, file: path.join(dir, 'after.md'), data: 'x' }];
    await expect(fileWriter.run(steps)).rejects.toMatchObject({ code: 'ENOENT', syscall: 'open' });
    await expect(fileWriter.run([{ op: 'link', existing: path.join(dir, 'gone'), file: path.join(dir, 'b') }])).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(fileWriter.run([{ op: 'write', file: path.join(dir, 'x'.repeat(300)), data: 'x' }])).rejects.toMatchObject({ code: 'ENAMETOOLONG' });
    expect(await names()).toEqual([]);
    await fileWriter.run([{ op: 'write', file: path.join(dir, 'ok.md'), data: 'ok' }]);
    expect(await names()).toEqual(['ok.md']);
  });

  it('appends a page log record after the given end, cutting off what lies past it, and refuses a file shorter than it', async () => {
    const log = path.join(dir, 'pages.log');
    await fs.writeFile(log, '#1 2\n{}\n#2 9\n{"cut');
    const [written] = await fileWriter.run([{ op: 'append', file: log, page: 2, json: '{"t":"é"}', end: 8 }]);
    expect(written).toEqual({ headLength: 6, length: 10 });
    expect(await fs.readFile(log, 'utf8')).toBe('#1 2\n{}\n#2 10\n{"t":"é"}\n');
    const [refused] = await fileWriter.run([{ op: 'append', file: log, page: 3, json: '{}', end: 1000 }]);
    expect(refused).toEqual({ shrunk: true });
    expect(await fs.readFile(log, 'utf8')).toBe('#1 2\n{}\n#2 10\n{"t":"é"}\n');
  });

  it('reads whole files and byte ranges in one request, null for what cannot be read, and goes on past it', async () => {
    const file = path.join(dir, 'log');
    await fs.writeFile(file, 'head:Straße:tail');
    const read = await fileWriter.run([
      { op: 'read', file }, { op: 'read', file: path.join(dir, 'missing') }, { op: 'read', file, at: 5, length: 7 },
      { op: 'read', file, at: 12, length: 10 }, { op: 'read', file: dir },
    ]) as (Uint8Array | null)[];
    expect(Buffer.from(read[0]!).toString()).toBe('head:Straße:tail');
    expect(read[1]).toBeNull();
    expect(Buffer.from(read[2]!).toString()).toBe('Straße');
    expect(read[3]).toBeNull(); // past the end: shorter than asked
    expect(read[4]).toBeNull(); // a folder
  });

  it('fails what was pending when its thread dies, and starts a new thread for the next request', async () => {
    await fileWriter.run([]); // a thread running
    const stopping = (fileWriter as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    const pending = fileWriter.run([{ op: 'write', file: path.join(dir, 'a.md'), data: 'x' }]);
    await stopping;
    await expect(pending).rejects.toThrow(/file writer thread stopped/);
    await fileWriter.run([{ op: 'write', file: path.join(dir, 'b.md'), data: 'after' }]);
    expect(await fs.readFile(path.join(dir, 'b.md'), 'utf8')).toBe('after');
  });

  it('keeps the order of requests made at once', async () => {
    const file = path.join(dir, 'order.md');
    await Promise.all(Array.from({ length: 50 }, (_, i) => fileWriter.run([{ op: 'write', file, data: String(i) }])));
    expect(await fs.readFile(file, 'utf8')).toBe('49');
  });
});
