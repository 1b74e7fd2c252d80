/**
 * Born-digital pages per second, default settings, over HTTP: tracemonkey.pdf ×18 (252 pages, the
 * set bench/real-run.ts uses), one untimed conversion first (a server in service has compiled
 * pdf.js's text extraction), then `--rounds` timed ones; with `pdftotext` on the same file for
 * scale. Quick to run on its own: what a change to the text-layer path (tables) costs.
 * Each round also reports the CPU seconds the server process spent on the conversion (all its
 * threads, /proc/<pid>/stat utime + stime): steadier than pages/s on a shared machine, where a
 * change to the text-layer path is judged by what it costs rather than by when it happened to run.
 * Usage: npx tsx bench/born-digital-speed.ts [--rounds 3]
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runPagemill } from './pagemill-run.js';
import { writeRealBornDigitalSet } from './real-documents.js';
import { spawnServer } from './server-under-test.js';

const exec = promisify(execFile);

/** CPU seconds of process `pid` so far, every thread (/proc/<pid>/stat fields 14 and 15, in ticks of 1/100 s). */
export function processCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export async function bornDigitalSpeed(rounds: number, log: (s: string) => void): Promise<{ pagemill: number[]; pdftotext: number[]; server_cpu_s: number[] }> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-born-'));
  const born = await writeRealBornDigitalSet(root);
  const server = await spawnServer({
    INPUT_DIR: path.join(root, 'in'), OUTPUT_DIR: path.join(root, 'out'), DATA_DIR: path.join(root, 'data'), IDLE_RELEASE_S: '0',
  });
  const out = { pagemill: [] as number[], pdftotext: [] as number[], server_cpu_s: [] as number[] };
  try {
    await runPagemill(server, born.file, null);
    for (let i = 0; i < rounds; i++) {
      const cpu0 = processCpuSeconds(server.child.pid!);
      const r = await runPagemill(server, born.file, null);
      out.server_cpu_s.push(processCpuSeconds(server.child.pid!) - cpu0);
      out.pagemill.push(born.pages / r.seconds);
      const t0 = performance.now();
      await exec('pdftotext', [born.file, path.join(root, 'born.txt')]);
      out.pdftotext.push(born.pages / ((performance.now() - t0) / 1000));
      log(`round ${i + 1}: pagemill ${out.pagemill.at(-1)!.toFixed(1)} pages/s, pdftotext ${out.pdftotext.at(-1)!.toFixed(1)} pages/s, server CPU ${out.server_cpu_s.at(-1)!.toFixed(2)} s`);
    }
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
    await fs.rm(root, { recursive: true, force: true });
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { rounds: { type: 'string' } } });
  const r = await bornDigitalSpeed(Number(values.rounds ?? 3), console.log);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  console.log(`median: pagemill ${median(r.pagemill).toFixed(1)} pages/s, pdftotext ${median(r.pdftotext).toFixed(1)} pages/s, ratio ${(median(r.pagemill) / median(r.pdftotext)).toFixed(2)}, server CPU ${median(r.server_cpu_s).toFixed(2)} s a conversion`);
}
