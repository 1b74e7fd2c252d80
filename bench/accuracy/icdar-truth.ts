import fs from 'node:fs/promises';

/**
 * The ICDAR 2013 table competition's ground truth: `<doc>-str.xml` (cells: start/end row and
 * column, box, content, per table region) and `<doc>-reg.xml` (table regions). Boxes are PDF
 * points, origin bottom-left; pages are 1-based. Read with regular expressions: the files are
 * machine-written and flat, and a bench needs no XML parser dependency.
 */

export interface TruthCell { row: number; col: number; endRow: number; endCol: number; text: string }
export interface TruthTable {
  /** `<table id>` and the region's index in it (a table may run over pages: one region each). */
  id: string;
  page: number;
  /** [x1, y1, x2, y2] in PDF points, origin bottom-left (as the file has it). */
  bbox: [number, number, number, number] | null;
  cells: TruthCell[];
}

const attr = (tag: string, name: string): string | undefined => new RegExp(`\\b${name}=["']([^"']*)["']`).exec(tag)?.[1];

function unescapeXml(s: string): string {
  return s
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, '\'')
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, '&');
}

function boxOf(xml: string): TruthTable['bbox'] {
  const tag = /<bounding-box\b[^>]*>/.exec(xml)?.[0];
  if (!tag) return null;
  const n = (k: string) => Number(attr(tag, k));
  return [n('x1'), n('y1'), n('x2'), n('y2')];
}

/** Tables of a `-str.xml`, one entry per region. */
export function parseStructure(xml: string): TruthTable[] {
  const tables: TruthTable[] = [];
  for (const t of xml.matchAll(/<table\b([^>]*)>([\s\S]*?)<\/table>/g)) {
    const id = attr(t[1]!, 'id') ?? String(tables.length + 1);
    let k = 0;
    for (const r of t[2]!.matchAll(/<region\b([^>]*)>([\s\S]*?)<\/region>/g)) {
      const cells: TruthCell[] = [];
      for (const c of r[2]!.matchAll(/<cell\b([^>]*)>([\s\S]*?)<\/cell>/g)) {
        const row = Number(attr(c[1]!, 'start-row'));
        const col = Number(attr(c[1]!, 'start-col'));
        const endRow = Number(attr(c[1]!, 'end-row') ?? row);
        const endCol = Number(attr(c[1]!, 'end-col') ?? col);
        const text = unescapeXml(/<content>([\s\S]*?)<\/content>/.exec(c[2]!)?.[1] ?? '');
        cells.push({ row, col, endRow, endCol, text });
      }
      tables.push({ id: `${id}.${++k}`, page: Number(attr(r[1]!, 'page') ?? 1), bbox: null, cells });
    }
  }
  return tables;
}

/** Region boxes of a `-reg.xml`, in the same order as parseStructure's entries (table, then region). */
export function parseRegions(xml: string): Array<{ page: number; bbox: TruthTable['bbox'] }> {
  const out: Array<{ page: number; bbox: TruthTable['bbox'] }> = [];
  for (const t of xml.matchAll(/<table\b[^>]*>([\s\S]*?)<\/table>/g)) {
    for (const r of t[1]!.matchAll(/<region\b([^>]*)>([\s\S]*?)<\/region>/g)) {
      out.push({ page: Number(attr(r[1]!, 'page') ?? 1), bbox: boxOf(r[2]!) });
    }
  }
  return out;
}

/** A document's truth: structure with each region's box from the region file (matched in order, same page). */
export async function readTruth(strFile: string, regFile: string): Promise<TruthTable[]> {
  const tables = parseStructure(await fs.readFile(strFile, 'utf8'));
  const regions = parseRegions(await fs.readFile(regFile, 'utf8').catch(() => ''));
  tables.forEach((t, i) => {
    const r = regions[i];
    if (r && r.page === t.page) t.bbox = r.bbox;
  });
  return tables;
}
