import { describe, expect, it } from 'vitest';
import { realSections } from '../../bench/report.js';

type Report = Parameters<typeof realSections>[0];
const system = (name: string, pagesPerMinute: number) => ({ system: name, seconds: 0, pages_per_minute: pagesPerMinute, pages_per_second: 0, rounds: [], cer: null });
const report = (ours: number, theirs: number) => ({
  real_scans: { pages: 26, skipped: [], systems: [system('pagemill (native engine)', ours), system('OCRmyPDF -j 2, same model', theirs)] },
}) as unknown as Report;
const line = (r: Report) => realSections(r).find((l) => l.startsWith('| pagemill (native engine) vs OCRmyPDF'))!;

describe('the bench report judges speed ratios exactly', () => {
  it('does not count a ratio as met because it rounds up to the target', () => {
    expect(line(report(29.2, 24.4))).toBe('| pagemill (native engine) vs OCRmyPDF -j 2, same model | ≥ 1.2× | 1.197× | not met |');
  });

  it('counts a ratio at or over the target as met, shown to two places', () => {
    expect(line(report(30, 25))).toBe('| pagemill (native engine) vs OCRmyPDF -j 2, same model | ≥ 1.2× | 1.2× | met |');
    expect(line(report(31.3, 24.4))).toBe('| pagemill (native engine) vs OCRmyPDF -j 2, same model | ≥ 1.2× | 1.28× | met |');
  });
});
