import { describe, expect, it } from 'vitest';
import { scriptsOf } from '../../../src/languages/language-scripts.js';
import { judgeTextLayer } from '../../../workers/pdf/text-plausibility.js';

const reasonOf = (text: string, lang = 'eng') => {
  const v = judgeTextLayer(text, lang);
  return v.usable ? 'usable' : v.reason;
};

describe('judgeTextLayer', () => {
  it('trusts ordinary text in the requested languages', () => {
    expect(reasonOf('The quick brown fox jumps over the lazy dog.')).toBe('usable');
    expect(reasonOf('Déjà vu: l’été à Besançon coûte 12,50 €.', 'eng+fra')).toBe('usable');
    expect(reasonOf('Съешь же ещё этих мягких французских булок', 'rus')).toBe('usable');
    // A formula's Greek letters in an English page are a minority, not junk.
    expect(reasonOf('The angle α between β and the plane is given by the cosine rule above.')).toBe('usable');
  });

  it('finds letters outside the scripts of the requested languages', () => {
    expect(reasonOf('䠀愀爀戀漀甀爀 洀愀猀琀攀爀 爀攀瀀漀爀琀猀')).toBe("implausible-text-layer: characters outside the requested languages' scripts");
    expect(reasonOf('Съешь же ещё этих мягких французских булок', 'eng')).toMatch(/outside the requested languages' scripts/);
    // Unknown language codes: no script check rather than a wrong one.
    expect(reasonOf('Съешь же ещё этих мягких французских булок', 'xyz')).toBe('usable');
  });

  it('finds control and replacement characters, and pages with next to no text', () => {
    expect(reasonOf('Harbour\u0005\u0016\u0006 master\u0013 reports calm seas')).toBe('implausible-text-layer: control characters');
    expect(reasonOf('Tabs\tand\nnewlines\rare whitespace, not junk')).toBe('usable');
    expect(reasonOf('\ufffd\ufffd\ufffd\ufffd text with \ufffd\ufffd')).toBe('implausible-text-layer: replacement characters');
    expect(reasonOf('Page 3')).toBe('no-text-layer');
    expect(reasonOf('•••• ---- //// ++++ ====')).toBe('implausible-text-layer: few letters or digits');
  });

  it('counts characters, not UTF-16 units, and leaves every kind of space out', () => {
    // Nine letters and wide spaces: too few characters, however they are spaced.
    expect(reasonOf('A\u3000B\u00a0C\u2003D\u200bE\vF G\fH\rI')).toBe('no-text-layer');
    // Mathematical letters are astral (two units each) and of the Common script: not foreign.
    expect(reasonOf('Let 𝐀 and 𝐁 be the matrices of 𝐱 and 𝐲 in the basis above')).toBe('usable');
    // C1 controls and private-use glyphs (a font without a Unicode map) are junk too.
    expect(reasonOf('Harbour\u0085\u0091\u009c master reports calm')).toBe('implausible-text-layer: control characters');
    expect(reasonOf('\ue001\ue002\ue003 Harbour master reports calm')).toBe('implausible-text-layer: replacement characters');
  });
});

describe('scriptsOf', () => {
  it('maps tesseract languages to Unicode scripts, Latin always included', () => {
    expect(scriptsOf('eng')).toEqual(['Latin']);
    expect(scriptsOf('eng+rus')?.sort()).toEqual(['Cyrillic', 'Latin']);
    expect(scriptsOf('jpn')?.sort()).toEqual(['Han', 'Hiragana', 'Katakana', 'Latin']);
    expect(scriptsOf('eng+nope')).toBeNull();
  });
});
