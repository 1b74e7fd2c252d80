import type Tesseract from 'tesseract.js';
import { readingStrength } from './reading-choice.js';

/*
 * tesseract's own table detection (textord_tabfind_find_tables, on in the CLI and here) helps most
 * tables: off, the accuracy set's grey numeric table (table_05) fell from word F1 48 % to 9 %,
 * table_11 from 97 % to 84 %, table_02 from 98 % to 82 %. On a dense ruled table of figures
 * told 300 dpi (table_10, a 3,183 px broker's summary) it costs the decimal points: the table's
 * rows are fitted to the digits' height alone, and the point at the foot of `$193.0` is lost
 * (`$1930`, at 22-85 % confidence). Off, the same pixels read at 87 % (73.5 % on; the CLI told
 * the file's 96 dpi finds no table there and reads 83 %). Such a page is a reading unsure of many
 * figures: it is read again with the detection off, and the better reading kept
 * (reading-choice.ts), which on every page of the set so measured kept the better of the two.
 */

/** A reading at least this sure on average is left alone. The set's pages that lost to the detection were at 82; those read well by it, 86-95. */
const DOUBT_CONFIDENCE = 85;
/** Only pages that are mostly figures are tables the detection can have misread this way. */
const MIN_FIGURE_SHARE = 0.3;

const isFigure = (word: string) => /\d/.test(word);

/** The share of a reading's words that hold a digit. */
export function figureShare(page: Tesseract.Page): number {
  let figures = 0;
  let count = 0;
  for (const block of page.blocks ?? []) {
    for (const para of block.paragraphs) {
      for (const line of para.lines) {
        for (const word of line.words) {
          count++;
          if (isFigure(word.text)) figures++;
        }
      }
    }
  }
  return count ? figures / count : 0;
}

/** Whether a reading may have been misread by tesseract's table detection: mostly figures, and unsure of them. */
export function doubtsTableDetection(page: Tesseract.Page): boolean {
  const { characters, meanConfidence } = readingStrength(page);
  return characters > 0 && meanConfidence < DOUBT_CONFIDENCE && figureShare(page) >= MIN_FIGURE_SHARE;
}
