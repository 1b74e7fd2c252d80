/**
 * The table finder's inputs, apart from the finder so that its parts can name them without
 * importing it (tableBlocks in table-blocks.ts re-exports them), and what its parts share.
 */

/** A cell's text that is a figure (a number, an amount, a percentage, a dash for none). */
export const NUMERIC = /^[-+−–(]?[$€£]?\d[\d.,\s%)]*$|^[-–—]$/u;

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
