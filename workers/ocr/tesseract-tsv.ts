import type Tesseract from 'tesseract.js';

/**
 * tesseract's TSV (one row per page/block/paragraph/line/word: level, numbers, box, confidence,
 * text) as the nested page tesseract.js returns, so the native engine's output feeds the same
 * layout code and every output format. TSV carries no block type: all blocks are flowing text
 * (1), and categories come from position and type size (page-layout.ts).
 */
interface Box { x0: number; y0: number; x1: number; y1: number }
interface WordNode { text: string; bbox: Box; confidence: number }
interface LineNode { text: string; bbox: Box; confidence: number; words: WordNode[] }
interface ParaNode { text: string; bbox: Box; confidence: number; lines: LineNode[] }
interface BlockNode { text: string; bbox: Box; confidence: number; blocktype: number; paragraphs: ParaNode[] }

const FLOWING_TEXT = 1;
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

export function pageFromTsv(tsv: string): Tesseract.Page {
  const blocks: BlockNode[] = [];
  let block: BlockNode | undefined;
  let para: ParaNode | undefined;
  let line: LineNode | undefined;
  for (const row of tsv.split('\n')) {
    const cols = row.split('\t');
    const level = Number(cols[0]);
    if (cols.length < 12 || !Number.isInteger(level)) continue; // header, trailing newline
    const [left, top, width, height] = cols.slice(6, 10).map(Number) as [number, number, number, number];
    const bbox = { x0: left, y0: top, x1: left + width, y1: top + height };
    if (level === 2) blocks.push(block = { text: '', bbox, confidence: 0, blocktype: FLOWING_TEXT, paragraphs: [] });
    else if (level === 3 && block) block.paragraphs.push(para = { text: '', bbox, confidence: 0, lines: [] });
    else if (level === 4 && para) para.lines.push(line = { text: '', bbox, confidence: 0, words: [] });
    else if (level === 5 && line) {
      const text = cols.slice(11).join('\t');
      if (text.trim() !== '') line.words.push({ text, bbox, confidence: Number(cols[10]) });
    }
  }
  // Higher levels' confidence and text from their words, as tesseract's own iterator reports them.
  const allWords: WordNode[] = [];
  for (const b of blocks) {
    for (const p of b.paragraphs) {
      for (const l of p.lines) {
        l.text = l.words.map((w) => w.text).join(' ');
        l.confidence = mean(l.words.map((w) => w.confidence));
        allWords.push(...l.words);
      }
      p.lines = p.lines.filter((l) => l.words.length > 0);
      p.text = p.lines.map((l) => l.text).join('\n');
      p.confidence = mean(p.lines.flatMap((l) => l.words.map((w) => w.confidence)));
    }
    b.paragraphs = b.paragraphs.filter((p) => p.lines.length > 0);
    b.text = b.paragraphs.map((p) => p.text).join('\n\n');
    b.confidence = mean(b.paragraphs.map((p) => p.confidence));
  }
  const kept = blocks.filter((b) => b.paragraphs.length > 0);
  return {
    text: kept.map((b) => b.text).join('\n\n'),
    confidence: mean(allWords.map((w) => w.confidence)),
    blocks: kept,
  } as unknown as Tesseract.Page;
}
