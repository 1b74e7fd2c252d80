import fs from 'node:fs';
import { LocalClient } from '../src/cli/local-client.js';

/** CPU seconds of this process's threads and of its finished child processes (native tesseract). */
function cpuSeconds(): number {
  const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0) / 100;
}

/** This process's high-water resident memory (VmHWM), in MB. */
function peakRssMb(): number {
  return Math.round(Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024);
}

/**
 * Times one conversion in this process, without process start and pool start-up (wall time, and
 * CPU time, steadier on a shared machine): `npx tsx bench/conversion-probe.ts file.pdf [prompt_mode] [workers]`.
 * Env as for the server (OCR_ENGINE…). Linux (/proc).
 */
const [file, mode = 'prompt_layout_all_en', workers = '2'] = process.argv.slice(2);
if (!file) throw new Error('usage: conversion-probe.ts <file.pdf> [prompt_mode] [workers]');
const client = await LocalClient.start(Number(workers));
const t0 = performance.now();
const cpu0 = cpuSeconds();
const accepted = await client.submit(file, { prompt_mode: mode }); // the default formats, as a user gets them
const end = await client.follow(accepted.conversion_id, () => undefined);
const seconds = (performance.now() - t0) / 1000;
const cpu = cpuSeconds() - cpu0;
const pages = (end as { results?: unknown[] }).results?.length ?? 0;
process.stdout.write(`${JSON.stringify({ mode, status: end.status, pages, seconds: Math.round(seconds * 100) / 100, pages_per_second: Math.round(pages / seconds),
  cpu_seconds: Math.round(cpu * 100) / 100, cpu_ms_per_page: Math.round((cpu * 1000) / pages * 10) / 10, peak_rss_mb: peakRssMb() })}\n`);
await client.close();
