import fs from 'node:fs/promises';
import path from 'node:path';
import { overall, type WordScore } from './word-f1.js';

export interface SystemRow {
  system: string;
  /** How the row was made: read here, or published hOCR scored here. */
  source: 'run' | 'published';
  pages: Record<string, WordScore & { seconds: number | null }>;
}

export interface AccuracyReport {
  date: string;
  commit: string;
  set: { dir: string; pages: number };
  machine: { cpus: number; node: string };
  systems: (SystemRow & { overall: ReturnType<typeof overall>; seconds: number | null })[];
  skipped: { system: string; reason: string }[];
}

const pct = (x: number | undefined) => (x === undefined ? '–' : (100 * x).toFixed(1));

export function summarize(row: SystemRow): AccuracyReport['systems'][number] {
  const pages = Object.values(row.pages);
  const timed = pages.every((p) => p.seconds !== null);
  return { ...row, overall: overall(pages), seconds: timed ? Math.round(pages.reduce((a, p) => a + p.seconds!, 0) * 10) / 10 : null };
}

/** The summary (targets: above the best JS library, >= 91 %; no page more than 3 points under native) and the per-page table. */
export function markdown(r: AccuracyReport): string {
  const names = Object.keys(r.systems[0]?.pages ?? {});
  const by = (s: string) => r.systems.find((x) => x.system === s);
  const ours = by('pagemill');
  const native = by('tesseract CLI');
  const best = Math.max(...r.systems.filter((s) => s.system !== 'pagemill').map((s) => s.overall.f1));
  const gaps = ours && native ? names.map((n) => ({ n, gap: 100 * (native.pages[n]!.f1 - ours.pages[n]!.f1) })) : [];
  const worst = gaps.sort((a, b) => b.gap - a.gap)[0];
  const lines = [
    `# Word accuracy on ocr-benchmark, ${r.date} (at ${r.commit})`,
    '',
    `${r.set.pages} real page images with human transcriptions (scribeocr/ocr-benchmark, read from ${r.set.dir}); `
      + 'word F1 as bench/accuracy/word-f1.ts defines it (the mean of the pages\' F1; pooled F1 beside it). '
      + `${r.machine.cpus} cores, Node ${r.machine.node}; one page at a time for every system, so seconds compare (they are noisy on this shared machine).`,
    '',
    '| system | word F1 | pooled F1 | precision | recall | seconds (all pages) |',
    '|---|---|---|---|---|---|',
    ...r.systems.map((s) => `| ${s.system}${s.source === 'published' ? ' (published hOCR, scored here)' : ''} | ${pct(s.overall.f1)} % | `
      + `${pct(s.overall.pooled_f1)} % | ${pct(s.overall.precision)} % | ${pct(s.overall.recall)} % | ${s.seconds ?? '–'} |`),
    '',
  ];
  if (ours) {
    lines.push(`- pagemill ${pct(ours.overall.f1)} % against the best other row ${pct(best)} % (target: above it, >= 91 %): `
      + `${ours.overall.f1 > best && ours.overall.f1 >= 0.91 ? 'met' : 'not met'}`);
  }
  if (worst) {
    lines.push(`- largest page gap under native tesseract: ${worst.n}, ${worst.gap.toFixed(1)} points (target: <= 3): ${worst.gap <= 3 ? 'met' : 'not met'}`);
  }
  if (ours && native) lines.push(`- time, pagemill / native tesseract: ${ours.seconds} s / ${native.seconds} s`);
  for (const s of r.skipped) lines.push(`- skipped ${s.system}: ${s.reason}`);
  lines.push('', '## Per page (word F1, %)', '', `| page | truth words | ${r.systems.map((s) => s.system).join(' | ')} |`,
    `|---|---|${r.systems.map(() => '---').join('|')}|`);
  for (const n of names) lines.push(`| ${n} | ${r.systems[0]!.pages[n]!.truth} | ${r.systems.map((s) => pct(s.pages[n]?.f1)).join(' | ')} |`);
  return `${lines.join('\n')}\n`;
}

export async function writeAccuracyReport(r: AccuracyReport, dir: string): Promise<string[]> {
  const stem = path.join(dir, `${r.date.slice(0, 19).replace(/:/g, '-')}-accuracy`);
  await fs.writeFile(`${stem}.json`, `${JSON.stringify(r, null, 2)}\n`);
  await fs.writeFile(`${stem}.md`, markdown(r));
  return [`${stem}.json`, `${stem}.md`];
}
