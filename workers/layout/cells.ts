import type { PromptMode } from '../../src/schemas/conversion.js';
import type { BBox, Block, CellCategory } from '../../src/schemas/page-result.js';
import { tableHtml } from './table-markup.js';

/** A dots.ocr layout cell, as the seed's `<stem>_page_<i>.json` holds them. */
export interface Cell { bbox: BBox; category: CellCategory; text?: string }

const roundBox = (b: BBox): BBox => b.map((n) => Math.round(n)) as BBox;

/**
 * `prompt_layout_only_en` asks for the layout alone: cells without text. A table with a found
 * structure carries it as HTML in `text`, as the older backend's model gave tables.
 */
export function pageCells(blocks: Block[], mode: PromptMode): Cell[] {
  return blocks.map((b) => (mode === 'prompt_layout_only_en'
    ? { bbox: roundBox(b.bbox), category: b.category }
    : { bbox: roundBox(b.bbox), category: b.category, text: b.table ? tableHtml(b.table) : b.lines.map((l) => l.text).join('\n') }));
}
