import { execFile } from 'node:child_process';
import http from 'node:http';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scannedPdf, textPdf } from './fixtures/pdf-fixtures.js';
import { startTestServer, submitFile, waitForEnd, type TestServer } from './helpers/test-server.js';
import { fakeBackend } from './fakes/fake-backend.js';

const BIN = path.resolve(import.meta.dirname, '../bin/pagemill.mjs');
const run = promisify(execFile);

/** Runs the real `pagemill` binary; resolves with its exit code and output. */
async function pagemill(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { ...process.env, NUM_WORKERS: '2', RENDER_DPI: '150', PAGE_TIMEOUT_S: '900' }, timeout: 600_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-cli-test-'));
});
afterAll(async () => fs.rm(dir, { recursive: true, force: true }));

describe('pagemill convert (in-process)', () => {
  it('converts files and writes the asked formats, exit 0', async () => {
    await fs.writeFile(path.join(dir, 'memo.pdf'), await scannedPdf([['Quarterly memo about the canal']]));
    await fs.writeFile(path.join(dir, 'digital.pdf'), textPdf([['A born digital page for the command line']]));
    const out = path.join(dir, 'out');
    const r = await pagemill(['convert', path.join(dir, 'memo.pdf'), path.join(dir, 'digital.pdf'), '--format', 'txt,json', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => l.status === 'completed')).toBe(true);
    expect(await fs.readFile(path.join(out, 'memo.txt'), 'utf8')).toContain('canal');
    expect(JSON.parse(await fs.readFile(path.join(out, 'digital.json'), 'utf8')).pages[0].source).toBe('text-layer');
  });

  it('exits 1 when a conversion fails, 2 on bad usage', async () => {
    await fs.writeFile(path.join(dir, 'broken.pdf'), '%PDF-1.4\n%%EOF\n');
    const failed = await pagemill(['convert', path.join(dir, 'broken.pdf'), '--out', path.join(dir, 'out2')]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('invalid_pdf');
    expect((await pagemill(['convert'])).code).toBe(2);
    expect((await pagemill(['convert', '--nope', 'x.pdf'])).code).toBe(2);
    expect((await pagemill(['convert', path.join(dir, 'missing.pdf')])).code).toBe(2);
    expect((await pagemill(['frobnicate'])).code).toBe(2);
    const help = await pagemill(['convert', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--format');
  });
});

describe('pagemill against a server', () => {
  let t: TestServer;
  let url: string;
  beforeAll(async () => {
    t = await startTestServer();
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
  });
  afterAll(async () => t?.close());

  it('list, status, cancel and stats', async () => {
    const done = await submitFile(t.app, 'listed.pdf', textPdf([['Listed by the command line client']]));
    await waitForEnd(t.app, done.body.conversion_id);
    const long = await submitFile(t.app, 'long.pdf', await scannedPdf(Array.from({ length: 40 }, (_, i) => [`Long page ${i}`])));
    const cancel = await pagemill(['cancel', long.body.conversion_id, '--server', url, '--json']);
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(JSON.parse(cancel.stdout).status).toBe('cancelled');

    const list = await pagemill(['list', '--server', url, '--json']);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout).conversions.map((c: { id: string }) => c.id)).toContain(done.body.conversion_id);
    const human = await pagemill(['list', '--server', url, '--status', 'completed']);
    expect(human.stdout).toContain('listed.pdf');

    const status = await pagemill(['status', done.body.conversion_id, '--server', url, '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ id: done.body.conversion_id, status: 'completed' });

    const stats = await pagemill(['stats', '--server', url]);
    expect(stats.code).toBe(0);
    expect(stats.stdout).toContain('throughput');
  });

  it('converts through the server with --server', async () => {
    await fs.writeFile(path.join(dir, 'remote.pdf'), textPdf([['Converted on the server side of things']]));
    const r = await pagemill(['convert', path.join(dir, 'remote.pdf'), '--server', url, '--format', 'md', '--out', path.join(dir, 'remote-out')]);
    expect(r.code, r.stderr).toBe(0);
    expect(await fs.readFile(path.join(dir, 'remote-out', 'remote.md'), 'utf8')).toContain('server side');
  });

  it('exits 3 when the server cannot be reached or refuses, 404 included', async () => {
    expect((await pagemill(['status', 'nope', '--server', url])).code).toBe(3);
    const down = await pagemill(['stats', '--server', 'http://127.0.0.1:9']);
    expect(down.code).toBe(3);
    expect(down.stderr).toContain('cannot reach');
  });
});

describe('pagemill convert --url', () => {
  const origin = http.createServer((req, res) => {
    if (req.url === '/papers/field-notes.pdf') return res.writeHead(200, { 'content-type': 'application/pdf' }).end(textPdf([['Field notes fetched by URL']]));
    res.writeHead(404).end();
  });
  let t: TestServer;
  let server = '';
  let source = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
    source = `http://127.0.0.1:${(origin.address() as { port: number }).port}/papers/field-notes.pdf`;
    t = await startTestServer({ SOURCE_URL_ALLOW: '127.0.0.1' }, { fake: fakeBackend() });
    server = await t.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await t?.close();
    await new Promise((resolve) => origin.close(resolve));
  });

  it('has the server download the document, and writes the formats and the archive under its URL name', async () => {
    const out = path.join(dir, 'url-out');
    const r = await pagemill(['convert', '--url', source, '--server', server, '--format', 'txt', '--archive', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ file: source, status: 'completed' });
    expect(await fs.readFile(path.join(out, 'field-notes.txt'), 'utf8')).toContain('Page 1 text'); // as the fake backend reads it
    const zip = await fs.readFile(path.join(out, 'field-notes.zip'));
    expect(zip.subarray(0, 4)).toEqual(Buffer.from('PK\x03\x04', 'latin1'));
    expect(zip.includes('manifest.json')).toBe(true);
  });

  it('in this process, refuses a loopback URL unless SOURCE_URL_ALLOW names it (exit 2, the setting named)', async () => {
    const r = await pagemill(['convert', '--url', source, '--out', path.join(dir, 'url-refused')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('SOURCE_URL_ALLOW');
  });
});
