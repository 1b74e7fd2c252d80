import type { Block } from '../../../src/schemas/page-result.js';

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

/**
 * The page's blocks with its tables found: blocks whose words fall in a table are replaced by one
 * `Table` block (category `Table`, `table` set, every word kept in `lines`, row by row); the other
 * blocks are returned unchanged, in reading order. Never throws on odd input; bounded time.
 */
export function tableBlocks(blocks: Block[], rulings: Ruling[], page: TablePage): Block[] {
  void rulings;
  void page;
  return blocks;
}
