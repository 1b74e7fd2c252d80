import type Tesseract from 'tesseract.js';
import { describe, expect, it } from 'vitest';
import { betterReading, readingStrength } from '../../../workers/ocr/reading-choice.js';

/** A reading of the given words, each [text, confidence]. */
function reading(words: [string, number][]): Tesseract.Page {
  const line = { words: words.map(([text, confidence]) => ({ text, confidence })) };
  return { blocks: [{ paragraphs: [{ lines: [line] }] }] } as unknown as Tesseract.Page;
}

describe('betterReading', () => {
  const clean = reading([['footpath', 90], ['river', 90]]);

  it('weighs each word by its length and confidence', () => {
    expect(readingStrength(clean)).toEqual({ characters: 11.7, meanConfidence: 90 });
    expect(readingStrength(reading([]))).toEqual({ characters: 0, meanConfidence: 0 });
  });

  it('takes the reading that finds more and is as sure of it (small type read at its own dpi)', () => {
    const more = reading([['footpath', 92], ['river', 92], ['council', 92]]);
    expect(betterReading(clean, more)).toBe(more);
  });

  it('keeps the first when the second finds more only by reading specks as words', () => {
    const specks = reading([['footpath', 90], ['river', 90], ['ee', 20], ['il', 15], ['Ww', 10]]);
    expect(readingStrength(specks).characters).toBeGreaterThan(readingStrength(clean).characters);
    expect(betterReading(clean, specks)).toBe(clean);
  });

  it('keeps the first when the second is surer of fewer words (half the rows dropped)', () => {
    const fewer = reading([['footpath', 99]]);
    expect(betterReading(clean, fewer)).toBe(clean);
    expect(betterReading(clean, clean)).toBe(clean);
  });
});
