import { AppError } from '../errors.js';

/**
 * Page selections like `1-3,7,10-` (1-based, inclusive; an open end runs to the last page).
 * Checked for syntax when the request arrives; applied once the page count is known.
 */
const PART = /^(\d+)(?:-(\d*))?$/;

export function checkPageRange(spec: string | undefined): string | null {
  const value = (spec ?? '').replace(/\s+/g, '');
  if (value === '') return null;
  for (const part of value.split(',')) {
    const m = PART.exec(part);
    if (!m || Number(m[1]) < 1 || (m[2] && Number(m[2]) < Number(m[1]))) {
      throw new AppError('invalid_page_range', `Invalid pages "${spec!.slice(0, 100)}": use page numbers from 1 and ranges like 1-3,7,10-.`);
    }
  }
  return value;
}

/** The selected page numbers of a document with `total` pages, ascending, without duplicates. */
export function selectPages(spec: string | null, total: number): number[] {
  if (!spec) return Array.from({ length: total }, (_, i) => i + 1);
  const chosen = new Set<number>();
  for (const part of spec.split(',')) {
    const m = PART.exec(part)!;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : m[2] === '' ? total : Number(m[2]);
    for (let p = from; p <= Math.min(to, total); p++) chosen.add(p);
  }
  return [...chosen].sort((a, b) => a - b);
}
