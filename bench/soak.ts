/**
 * `npm run soak` — 200 conversions of mixed small documents, one after another, against a real
 * server process: resident memory at the end must be within 10 % of where it was after the first
 * 20, and the process must hold no more file descriptors than then (/proc/<pid>/fd). Not part of
 * `npm test`: it takes a few minutes. Options: --count N (default 200), --workers N (default 2).
 * Exit code 0 when both hold; the numbers are printed as JSON.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { scannedPdf, scannedPng, textPdf } from '../test/fixtures/pdf-fixtures.js';
import { memoryOf, spawnServer, submit } from './server-under-test.js';

const { values: opts } = parseArgs({ options: { count: { type: 'string' }, workers: { type: 'string' } } });
const COUNT = Number(opts.count ?? 200);
const BASELINE_AT = 20;
const log = (s: string) => process.stderr.write(`${s}\n`);

const documents: { name: string; data: Buffer; fields?: Record<string, string> }[] = [
  { name: 'born-digital.pdf', data: textPdf([['Soak test, born-digital page one'], ['Page two of it']]) },
  { name: 'scan.pdf', data: await scannedPdf([['Soak test scanned page', 'Second line of the scan']], 150) },
  { name: 'photo.png', data: await scannedPng(['Soak test image', 'with two lines'], 150) },
  { name: `${'文'.repeat(80)}.pdf`, data: textPdf([['Long non-Latin name']]), fields: { formats: 'txt,md,json,hocr,alto' } },
  { name: 'broken.pdf', data: Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n') },
  { name: 'searchable.pdf', data: await scannedPdf([['Soak test searchable PDF']], 150), fields: { formats: 'txt,pdf' } },
];

const fdCount = async (pid: number) => (await fs.readdir(`/proc/${pid}/fd`)).length;

async function waitForEnd(url: string, id: string): Promise<string> {
  for (;;) {
    const { status } = (await (await fetch(`${url}/conversion-status/${id}`)).json()) as { status: string };
    if (['completed', 'error', 'cancelled'].includes(status)) return status;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const root = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-soak-'));
const server = await spawnServer({
  INPUT_DIR: path.join(root, 'input'), OUTPUT_DIR: path.join(root, 'output'), DATA_DIR: path.join(root, 'data'),
  NUM_WORKERS: opts.workers ?? '2', RENDER_DPI: '150',
});
const pid = server.child.pid!;
let baseline: { rss_mb: number; fds: number } | null = null;
const outcomes: Record<string, number> = {};
const started = Date.now();
try {
  for (let i = 0; i < COUNT; i++) {
    const doc = documents[i % documents.length]!;
    const { id } = await submit(server.url, doc.name, doc.data, doc.fields);
    const status = await waitForEnd(server.url, id);
    outcomes[`${doc.name.slice(0, 20)}: ${status}`] = (outcomes[`${doc.name.slice(0, 20)}: ${status}`] ?? 0) + 1;
    if (i + 1 === BASELINE_AT) {
      baseline = { rss_mb: memoryOf(pid)!.rss_mb, fds: await fdCount(pid) };
      log(`after ${BASELINE_AT}: ${JSON.stringify(baseline)}`);
    } else if ((i + 1) % 20 === 0) {
      log(`after ${i + 1}: rss ${memoryOf(pid)!.rss_mb} MB, fds ${await fdCount(pid)}`);
    }
  }
  const end = { rss_mb: memoryOf(pid)!.rss_mb, fds: await fdCount(pid) };
  const rssGrowth = baseline ? (end.rss_mb - baseline.rss_mb) / baseline.rss_mb : 0;
  const ok = baseline !== null && rssGrowth <= 0.1 && end.fds <= baseline.fds;
  process.stdout.write(`${JSON.stringify({
    conversions: COUNT, seconds: Math.round((Date.now() - started) / 1000), baseline_after: BASELINE_AT, baseline, end,
    rss_growth_percent: Math.round(rssGrowth * 1000) / 10, fd_growth: baseline ? end.fds - baseline.fds : null, outcomes, ok,
    server_alive: server.child.exitCode === null,
  }, null, 2)}\n`);
  process.exitCode = ok ? 0 : 1;
} finally {
  server.child.kill('SIGTERM');
  await server.exited;
  await fs.rm(root, { recursive: true, force: true });
}
