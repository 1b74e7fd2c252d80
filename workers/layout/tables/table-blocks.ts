import type { BBox, Block, TableStructure, Word } from '../../../src/schemas/page-result.js';
import { replaceCoveredBlocks, type FoundTable } from './covered-blocks.js';
import { cleanRulings, ruledFrames } from './ruling-lines.js';
import { tableStructure } from './table-cells.js';
import { buildGrid, type Grid } from './table-grid.js';
import { frameRegions, inside, overlaps, ruleStackRegions, textRegions, type Region } from './table-regions.js';

/**
 * A drawn rule on the page, in the page's pixels (origin top-left), horizontal or vertical:
 * from a scan's line mask (workers/raster/rulings.ts) or a born-digital page's vector paths
 * (workers/pdf/vector-rulings.ts). `thickness` in pixels.
 */
export interface Ruling { x1: number; y1: number; x2: number; y2: number; thickness: number }

export interface TablePage {
  width: number;
  height: number;
  /** Median height of a line of body text in pixels (scales every tolerance). */
  typeSize: number;
}

/** Beyond these a page is hostile or no page of tables: it is read as text, every word kept. */
export const MAX_TABLE_WORDS = 30_000;
export const MAX_TABLE_RULINGS = 6_000;

const wordCount = (s: string) => (s.trim() ? s.trim().split(/\s+/).length : 0);

/**
 * Is this grid a table? Ruled grids need two rows and two columns holding text; grids whose
 * columns come from the words' gutters need three of each, most rows split into cells, and short
 * cells (prose set in columns has long ones).
 */
function plausible(grid: Grid, s: TableStructure, from: Region['from']): boolean {
  const filled = s.cells.filter((c) => c.text.trim() !== '');
  if (s.rows < 2 || s.cols < 2 || filled.length < 4) return false;
  // A chart's gridlines make a lattice of empty cells, its labels outside or in a few of them.
  if (grid.columnsFrom === 'lines') return filled.length >= 0.3 * s.cells.length;
  if (from === 'text' && (s.rows < 3 || s.cols < 3)) return false;
  const counts = filled.map((c) => wordCount(c.text)).sort((a, b) => a - b);
  if (counts[counts.length >> 1]! > 4) return false;
  const perRow = new Array<number>(s.rows).fill(0);
  for (const c of filled) perRow[c.row]! += 1;
  return perRow.filter((n) => n >= 2).length >= 0.5 * s.rows;
}

function findTables(blocks: Block[], rulings: Ruling[], page: TablePage): Block[] {
  const words: Word[] = blocks.flatMap((b) => b.lines.flatMap((l) => l.words));
  if (words.length === 0 || words.length > MAX_TABLE_WORDS) return blocks;
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
    const ws = words.filter((w) => !claimed.has(w) && inside(w, bbox, region.from === 'text' ? tol : 0));
    if (ws.length < 4) return;
    const box: BBox = region.from === 'text' ? [bbox[0] - tol, bbox[1] - tol, bbox[2] + tol, bbox[3] + tol] : bbox;
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
    if (!plausible(grid, structure, region.from)) return;
    found.push({ structure, words: ws, bbox: box });
    for (const w of ws) claimed.add(w);
  };
  for (const r of [...frameRegions(frames, typeSize), ...ruleStackRegions(lone, typeSize)]) tryRegion(r);
  for (const r of textRegions(words.filter((w) => !claimed.has(w)), typeSize)) tryRegion(r);
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
