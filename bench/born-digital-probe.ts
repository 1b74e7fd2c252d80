import { LocalClient } from '../src/cli/local-client.js';

/**
 * Times one born-digital conversion in this process, without process start and pool start-up:
 * `npx tsx bench/born-digital-probe.ts file.pdf [prompt_mode] [workers]`.
 */
const [file, mode = 'prompt_layout_all_en', workers = '2'] = process.argv.slice(2);
if (!file) throw new Error('usage: born-digital-probe.ts <file.pdf> [prompt_mode] [workers]');
const client = await LocalClient.start(Number(workers));
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const accepted = await client.submit(file, { formats: 'md', prompt_mode: mode });
const end = await client.follow(accepted.conversion_id, () => undefined);
const seconds = (performance.now() - t0) / 1000;
// CPU of every thread of the process: steadier than wall time on a shared machine.
const cpu = process.cpuUsage(cpu0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const pages = (end as { results?: unknown[] }).results?.length ?? 0;
process.stdout.write(`${JSON.stringify({ mode, status: end.status, pages, seconds: Math.round(seconds * 100) / 100, pages_per_second: Math.round(pages / seconds),
  cpu_seconds: Math.round(cpuSeconds * 100) / 100, cpu_ms_per_page: Math.round((cpuSeconds * 1000) / pages * 10) / 10 })}\n`);
await client.close();
