import type { BBox, Block, TableStructure, Word } from '../../../src/schemas/page-result.js';
import { replaceCoveredBlocks, type FoundTable } from './covered-blocks.js';
import { cleanRulings, ruledFrames } from './ruling-lines.js';
import { tableStructure } from './table-cells.js';
import { buildGrid, type Grid } from './table-grid.js';
import { rowSegments, textRows, type TextRow } from './text-rows.js';
import type { Ruling, TablePage } from './table-types.js';
import { frameRegions, inside, overlaps, ruleStackRegions, textRegions, type Region } from './table-regions.js';

export type { Ruling, TablePage } from './table-types.js';

/** Beyond these a page is hostile or no page of tables: it is read as text, every word kept. */
export const MAX_TABLE_WORDS = 30_000;
export const MAX_TABLE_RULINGS = 6_000;
/** Candidate regions tried per page (each reads the page's words once). */
export const MAX_REGIONS = 64;

/** Whether a page with this many words is read for tables at all (the rules are capped apart: MAX_TABLE_RULINGS). */
export const withinLimits = (words: number) => words > 0 && words <= MAX_TABLE_WORDS;

const wordCount = (s: string) => (s.trim() ? s.trim().split(/\s+/).length : 0);

/**
 * Is this grid a table? A ruled frame needs two rows and two columns holding text, and not a
 * lattice of empty cells (a chart's gridlines). Anything less ruled — columns from the words'
 * gutters, a run of text rows, a frame of one rule each way (an L of axes, a T) — needs three
 * rows (and three columns from text alone), most rows split into cells, short cells (prose set in
 * columns has long ones), and no cell holding most of its words (a paragraph beside a figure's labels).
 */
function plausible(grid: Grid, s: TableStructure, region: Region): boolean {
  const filled = s.cells.filter((c) => c.text.trim() !== '');
  if (s.rows < 2 || s.cols < 2 || filled.length < 4) return false;
  if (filled.length < 0.3 * s.cells.length) return false;
  const ruled = grid.columnsFrom === 'lines' && region.from === 'frame' && region.h >= 2 && region.v >= 2;
  if (ruled) return true;
  if (s.rows < 3 || (region.from === 'text' && s.cols < 3)) return false;
  const counts = filled.map((c) => wordCount(c.text)).sort((a, b) => a - b);
  if (counts[counts.length >> 1]! > 4) return false;
  const total = counts.reduce((a, b) => a + b, 0);
  if (counts.filter((n) => n > 10).reduce((a, b) => a + b, 0) > 0.5 * total) return false;
  const perRow = new Array<number>(s.rows).fill(0);
  for (const c of filled) perRow[c.row]! += 1;
  return perRow.filter((n) => n >= 2).length >= 0.5 * s.rows;
}

/** A caption or a title line at the top or bottom of a region is not part of its grid. */
const PROSE_LINE_WORDS = 6;

function withoutProseEdges(words: Word[], typeSize: number): Word[] {
  const rows = textRows(words);
  const prose = (r: TextRow) => r.words.length > PROSE_LINE_WORDS && rowSegments(r, typeSize).length === 1;
  let a = 0;
  let b = rows.length;
  while (a < b && prose(rows[a]!)) a++;
  while (b > a && prose(rows[b - 1]!)) b--;
  return a === 0 && b === rows.length ? words : rows.slice(a, b).flatMap((r) => r.words);
}

function findTables(blocks: Block[], rulings: Ruling[], page: TablePage): Block[] {
  const words: Word[] = blocks.flatMap((b) => b.lines.flatMap((l) => l.words));
  if (!withinLimits(words.length)) return blocks;
  const typeSize = page.typeSize > 0 ? page.typeSize : Math.max(8, page.height / 80);
  const tol = Math.max(2, 0.3 * typeSize);
  const { h, v } = cleanRulings(rulings.length <= MAX_TABLE_RULINGS ? rulings : [], tol);
  const frames = ruledFrames(h, v, tol);
  const lone = frames.filter((f) => f.v.length === 0).flatMap((f) => f.h);

  const found: Array<FoundTable & { bbox: BBox }> = [];
  const claimed = new Set<Word>();
  const tryRegion = (region: Region) => {
    const bbox = region.bbox;
    if (found.some((f) => overlaps(f.bbox, bbox))) return;
    const ws = withoutProseEdges(words.filter((w) => !claimed.has(w) && inside(w, bbox, region.from === 'text' ? tol : 0)), typeSize);
    if (ws.length < 4) return;
    const box: BBox = region.from === 'frame'
      ? bbox
      : [bbox[0] - tol, Math.min(...ws.map((w) => w.bbox[1])) - tol, bbox[2] + tol, Math.max(...ws.map((w) => w.bbox[3])) + tol];
    const near = (y: number, x1: number, x2: number) => y >= box[1] - tol && y <= box[3] + tol && x2 > box[0] && x1 < box[2];
    const grid = buildGrid({
      bbox: box,
      words: ws,
      h: h.filter((l) => near(l.y, l.x1, l.x2)),
      v: v.filter((l) => l.x >= box[0] - tol && l.x <= box[2] + tol && l.y2 > box[1] && l.y1 < box[3]),
      typeSize,
      tol,
    });
    if (!grid) return;
    const structure = tableStructure(grid, ws);
    if (!plausible(grid, structure, region)) return;
    found.push({ structure, words: ws, bbox: box });
    for (const w of ws) claimed.add(w);
  };
  // Each region reads the page's words once: a hostile page of many small regions stops at MAX_REGIONS.
  const ruled = [...frameRegions(frames, typeSize), ...ruleStackRegions(lone, typeSize)].slice(0, MAX_REGIONS);
  for (const r of ruled) tryRegion(r);
  const text = textRegions(words.filter((w) => !claimed.has(w)), typeSize);
  for (const r of text.slice(0, MAX_REGIONS - ruled.length)) tryRegion(r);
  return replaceCoveredBlocks(blocks, found);
}

/**
 * The page's blocks with its tables found: blocks whose words fall in a table are replaced by one
 * `Table` block (category `Table`, `table` set, every word kept in `lines`, row by row); the other
 * blocks are returned unchanged, in reading order. Never throws on odd input; bounded time.
 */
export function tableBlocks(blocks: Block[], rulings: Ruling[], page: TablePage): Block[] {
  try {
    return findTables(blocks, rulings, page);
  } catch {
    // A table finder's bug must not cost the page its text.
    return blocks;
  }
}
