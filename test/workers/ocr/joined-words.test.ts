import { createCanvas } from '@napi-rs/canvas';
import type Tesseract from 'tesseract.js';
import { describe, expect, it } from 'vitest';
import { withJoinedWordsSplit } from '../../../workers/ocr/joined-words.js';
import { pageFromTsv } from '../../../workers/ocr/tesseract-tsv.js';
import { greyFromRgba } from '../../../workers/raster/grey-image.js';

const HEADER = 'level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext';
const PROSE = 'the council agreed on tuesday to widen the footpath along the river'.split(' ');

/**
 * A page drawn in 40-px serif type, and a reading of it as tesseract's LSTM engine gives it: a
 * line of prose (its spaces are the page's), then a table row printed `13 A` and `14 B` but read
 * `13A`, `14B`, and a code printed `2020E` in one piece. Each word's box is its ink's.
 */
function joinedPage() {
  const canvas = createCanvas(1400, 300);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, 1400, 300);
  ctx.fillStyle = '#000000';
  ctx.font = '40px DejaVu Serif';
  const space = ctx.measureText(' ').width;
  const rows: string[] = [HEADER, '2\t1\t1\t0\t0\t0\t0\t0\t1400\t300\t-1\t', '3\t1\t1\t1\t0\t0\t0\t0\t1400\t300\t-1\t'];
  /** Draws `pieces` one after another (a space between), and records them as one word reading `text`. */
  const word = (line: number, x: number, y: number, pieces: string[], text: string, n: number) => {
    let [x0, x1, y0, y1, at] = [Infinity, 0, Infinity, 0, x];
    for (const piece of pieces) {
      const m = ctx.measureText(piece);
      ctx.fillText(piece, at, y);
      [x0, x1] = [Math.min(x0, at - m.actualBoundingBoxLeft), Math.max(x1, at + m.actualBoundingBoxRight)];
      [y0, y1] = [Math.min(y0, y - m.actualBoundingBoxAscent), Math.max(y1, y + m.actualBoundingBoxDescent)];
      at += m.width + space;
    }
    const [l, t] = [Math.floor(x0), Math.floor(y0)];
    rows.push(`5\t1\t1\t1\t${line}\t${n}\t${l}\t${t}\t${Math.ceil(x1) - l}\t${Math.ceil(y1) - t}\t92\t${text}`);
    return at;
  };
  rows.push('4\t1\t1\t1\t1\t0\t0\t40\t1400\t60\t-1\t');
  let x = 20;
  PROSE.forEach((w, i) => { x = word(1, x, 80, [w], w, i + 1); });
  rows.push('4\t1\t1\t1\t2\t0\t0\t140\t1400\t60\t-1\t');
  word(2, 100, 180, ['13', 'A'], '13A', 1);
  word(2, 500, 180, ['14', 'B'], '14B', 2);
  word(2, 900, 180, ['2020E'], '2020E', 3);
  const grey = greyFromRgba(ctx.getImageData(0, 0, 1400, 300).data as unknown as Uint8Array, 1400, 300);
  return { grey, page: pageFromTsv(rows.join('\n')) };
}

const wordsOf = (page: Tesseract.Page) => (page.blocks ?? []).flatMap((b) => b.paragraphs.flatMap((p) => p.lines.flatMap((l) => l.words)));

describe('words joined across a space', () => {
  it('are split where the ink has a space-wide gap between figures and letters', () => {
    const { grey, page } = joinedPage();
    const read = withJoinedWordsSplit(page, grey);
    expect(wordsOf(read).slice(PROSE.length).map((w) => w.text)).toEqual(['13', 'A', '14', 'B', '2020E']);
    expect(read.text.split('\n').at(-1)).toBe('13 A 14 B 2020E');
    const [n13, a] = wordsOf(read).slice(PROSE.length);
    // The halves' boxes end and start at the gap.
    expect(n13!.bbox.x1).toBeLessThan(a!.bbox.x0);
    expect(n13!.bbox.x0).toBe(wordsOf(page)[PROSE.length]!.bbox.x0);
  });

  it('leave a reading with no such word as it is', () => {
    const { grey, page } = joinedPage();
    const lines = page.blocks![0]!.paragraphs[0]!.lines;
    lines[1]!.words = lines[1]!.words.slice(2);
    expect(withJoinedWordsSplit(page, grey)).toBe(page);
  });
});
