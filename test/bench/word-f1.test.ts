import { describe, expect, it } from 'vitest';
import { hocrText } from '../../bench/accuracy/hocr-words.js';
import { imageGeometry } from '../../bench/accuracy/ocr-set.js';
import { overall, wordScore, words } from '../../bench/accuracy/word-f1.js';

describe('word F1 (the accuracy bench scorer)', () => {
  it('keeps case and punctuation, folds curly quotes and dashes', () => {
    expect(words('“Inc.” said  it’s 10–12\nInc')).toEqual(['"Inc."', 'said', "it's", '10-12', 'Inc']);
  });

  it('matches words as a multiset, in any order', () => {
    const s = wordScore(words('river the the mill'), words('the mill by the river the'));
    expect(s).toEqual({ truth: 6, hypothesis: 4, matched: 4, f1: 0.8 });
    expect(wordScore(words('13A'), words('13 A')).matched).toBe(0);
    expect(wordScore([], []).f1).toBe(1);
  });

  it('reports the mean of the pages beside the pooled figure', () => {
    const o = overall([wordScore(['a'], ['a']), wordScore(['x', 'y', 'z'], ['a', 'b', 'c'])]);
    expect(o.f1).toBe(0.5);
    expect(o.pooled_f1).toBe(0.25);
    expect(o.recall).toBe(0.25);
  });
});

describe('reading the set', () => {
  it("takes every ocrx_word's text, inner tags removed and entities decoded", () => {
    const hocr = `<span class='ocr_line'><span class='ocrx_word' title='bbox 1 2 3 4'>Smith&amp;Co</span>
      <span class="ocrx_word" id="w2"><em>&#8220;Q.</em></span><span class='ocrx_word'> </span></span>`;
    expect(hocrText(hocr)).toBe('Smith&Co \u201cQ.');
  });

  it("reads a PNG's stated resolution (pHYs), and none when it states none", () => {
    const chunk = (type: string, body: Buffer) => {
      const head = Buffer.alloc(8);
      head.writeUInt32BE(body.length, 0);
      head.write(type, 4, 'latin1');
      return Buffer.concat([head, body, Buffer.alloc(4)]);
    };
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(640, 0);
    ihdr.writeUInt32BE(480, 4);
    const phys = Buffer.alloc(9);
    phys.writeUInt32BE(3780, 0); // 96 dpi in pixels per metre
    phys.writeUInt32BE(3780, 4);
    phys[8] = 1;
    const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const idat = chunk('IDAT', Buffer.alloc(0));
    expect(imageGeometry(Buffer.concat([sig, chunk('IHDR', ihdr), chunk('pHYs', phys), idat]))).toEqual({ width: 640, height: 480, dpi: 96 });
    expect(imageGeometry(Buffer.concat([sig, chunk('IHDR', ihdr), idat]))).toEqual({ width: 640, height: 480, dpi: null });
  });
});
