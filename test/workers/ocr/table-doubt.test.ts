import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { PageTask } from '../../../src/schemas/page-result.js';
import type { GreyImage } from '../../../workers/raster/grey-image.js';
import { pageFromTsv } from '../../../workers/ocr/tesseract-tsv.js';
import { doubtsTableDetection } from '../../../workers/ocr/table-doubt.js';

/**
 * A ruled table of figures read with tesseract's own table detection can lose its decimal points
 * (the accuracy set's table_10: `$193.0` read `$1930` at 22-85 % confidence; word F1 73.5 %, 87 %
 * with the detection off). The engine is replaced by a stand-in that answers as tesseract did on
 * that page: figures without their points, unsure, with the detection on; with the points, sure,
 * with it off. The engines' own handling of the parameter is tesseract's.
 */

/** A one-line TSV reading of `words`, each [text, confidence], 80 px apart. */
function tsvReading(words: [string, number][]) {
  const rows = ['level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext',
    '2\t1\t1\t0\t0\t0\t20\t20\t1600\t25\t-1\t', '3\t1\t1\t1\t0\t0\t20\t20\t1600\t25\t-1\t', '4\t1\t1\t1\t1\t0\t20\t20\t1600\t25\t-1\t',
    ...words.map(([text, conf], i) => `5\t1\t1\t1\t1\t${i + 1}\t${20 + i * 80}\t20\t70\t25\t${conf}\t${text}`)];
  return pageFromTsv(rows.join('\n'));
}

const FIGURES = ['193.0', '196.4', '206.1', '208.8', '223.3', '233.6', '235.9', '249.3', '261.7', '582.7'];
/** As read with tesseract's table detection on: the points lost, and unsure. */
const lostWords = (): [string, number][] => [['Investment', 96], ['Cast', 96], ...FIGURES.map((f, i): [string, number] => [`$${f.replace('.', '')}`, [85, 80, 90, 76, 22, 74, 88, 53, 28, 75][i]!])];
const pointsLost = () => tsvReading(lostWords());
/** The same pixels with it off. */
const pointsKept = () => tsvReading([['Investment', 94], ['Cast', 96], ...FIGURES.map((f): [string, number] => [`$${f}`, 96])]);

const reads: { dpi: number; findTables: boolean }[] = [];
/** The stand-in reads the figures surely with the detection on too (a table it did not misread). */
let sureFirst = false;
vi.mock('../../../workers/ocr/ocr-engine.js', () => ({
  recognize: async (req: { dpi: number; findTables?: boolean }) => {
    const findTables = req.findTables ?? true;
    reads.push({ dpi: req.dpi, findTables });
    if (!findTables || sureFirst) return pointsKept();
    // At 100 dpi one more word is read, surely: that reading wins the small-type choice.
    return req.dpi === 100 ? tsvReading([...lostWords(), ['Products', 96]]) : pointsLost();
  },
  detectRotation: async () => 0,
}));
const { ocrPageImage } = await import('../../../workers/ocr/page-ocr.js');

const task = {
  ocr_engine: 'wasm', detect_orientation: false, deskew: false, prompt_mode: 'prompt_ocr', text_layer_pdf: false,
  lang: 'eng', tessdata_dir: '', tessdata_gzip: true, ocr_recycle_pages: 100, native_tessdata_dir: '',
} as unknown as PageTask;

/** A page with ink on it (not blank): dark bars where the stand-in's words are. */
function inkedPage(): GreyImage {
  const width = 900;
  const height = 80;
  const data = new Uint8Array(width * height).fill(255);
  for (let y = 25; y < 40; y++) for (let x = 20; x < 880; x++) if (x % 80 < 60) data[y * width + x] = 0;
  return { data, width, height };
}
const text = (blocks: { lines: { words: { text: string }[] }[] }[]) => blocks.flatMap((b) => b.lines.flatMap((l) => l.words.map((w) => w.text)));

beforeEach(() => {
  reads.length = 0;
  sureFirst = false;
});

describe('doubtsTableDetection', () => {
  it('doubts a reading of figures it is unsure of', () => {
    expect(doubtsTableDetection(pointsLost())).toBe(true);
  });

  it('leaves alone a sure reading of figures, unsure prose, and an empty reading', () => {
    expect(doubtsTableDetection(pointsKept())).toBe(false);
    const prose = tsvReading(['the', 'council', 'agreed', 'on', 'tuesday', 'to', 'widen', 'the', 'path', 'in', '2026'].map((w): [string, number] => [w, 60]));
    expect(doubtsTableDetection(prose)).toBe(false);
    expect(doubtsTableDetection(tsvReading([]))).toBe(false);
  });
});

describe('a table of figures that tesseract\'s table detection misread', () => {
  it('is not read again when the first reading is sure of its figures', async () => {
    sureFirst = true;
    await ocrPageImage(inkedPage(), 300, task);
    expect(reads).toEqual([{ dpi: 300, findTables: true }]);
  });

  it('is read again with the detection off, at the same dpi, and the reading that kept the points is the page', async () => {
    const page = await ocrPageImage(inkedPage(), 300, task);
    expect(reads).toEqual([{ dpi: 300, findTables: true }, { dpi: 300, findTables: false }]);
    expect(text(page.blocks)).toContain('$193.0');
    expect(text(page.blocks)).not.toContain('$1930');
  });

  it('is read again at the dpi of the reading kept: the small type\'s when that one won', async () => {
    const page = await ocrPageImage(inkedPage(), 300, task, 100);
    expect(reads).toEqual([{ dpi: 300, findTables: true }, { dpi: 100, findTables: true }, { dpi: 100, findTables: false }]);
    expect(text(page.blocks)).toContain('$193.0');
  });
});
