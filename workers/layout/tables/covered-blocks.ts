import type { Block, Line, TableStructure, Word } from '../../../src/schemas/page-result.js';
import { unionBox } from '../page-layout.js';
import { textRows } from './text-rows.js';

/**
 * Puts found tables into the page's blocks: the words a table took leave their blocks (a block
 * left empty goes, one left with fewer words keeps the rest), and the table comes in as one
 * `Table` block where the first block it took from stood, so reading order holds.
 */

export interface FoundTable { structure: TableStructure; words: Word[] }

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

function lineOf(words: Word[]): Line {
  return {
    text: words.map((w) => w.text).join(' '),
    bbox: unionBox(words.map((w) => w.bbox)),
    confidence: Math.round(mean(words.map((w) => w.confidence)) * 10) / 10,
    words,
  };
}

function tableBlock(t: FoundTable): Block {
  const lines = textRows(t.words).map((r) => lineOf(r.words));
  const cellBoxes = t.structure.cells.map((c) => c.bbox);
  return {
    category: 'Table',
    text: lines.map((l) => l.text).join('\n'),
    bbox: unionBox([...cellBoxes, ...lines.map((l) => l.bbox)]).map(Math.round) as Block['bbox'],
    confidence: Math.round(mean(t.words.map((w) => w.confidence)) * 10) / 10,
    lines,
    table: t.structure,
  };
}

/** What is left of a block once `taken` words are gone (null when nothing is). */
function remainder(block: Block, taken: ReadonlySet<Word>): Block | null {
  let changed = false;
  const lines: Line[] = [];
  for (const line of block.lines) {
    const kept = line.words.filter((w) => !taken.has(w));
    if (kept.length === line.words.length) lines.push(line);
    else {
      changed = true;
      if (kept.length) lines.push(lineOf(kept));
    }
  }
  if (!changed) return block;
  if (lines.length === 0) return null;
  return {
    ...block,
    text: lines.map((l) => l.text).join('\n'),
    bbox: unionBox(lines.map((l) => l.bbox)),
    lines,
  };
}

export function replaceCoveredBlocks(blocks: Block[], tables: FoundTable[]): Block[] {
  if (tables.length === 0) return blocks;
  const owner = new Map<Word, number>();
  tables.forEach((t, i) => t.words.forEach((w) => owner.set(w, i)));
  const taken = new Set(owner.keys());
  const placed = new Set<number>();
  const out: Block[] = [];
  for (const block of blocks) {
    for (const line of block.lines) {
      for (const w of line.words) {
        const i = owner.get(w);
        if (i !== undefined && !placed.has(i)) {
          placed.add(i);
          out.push(tableBlock(tables[i]!));
        }
      }
    }
    const rest = remainder(block, taken);
    if (rest) out.push(rest);
  }
  return out;
}
