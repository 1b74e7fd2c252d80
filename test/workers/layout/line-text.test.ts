import { describe, expect, it } from 'vitest';
import { hyphenatedIn } from '../../../workers/layout/line-text.js';

const byPattern = (text: string) => text.match(/(?<!\p{L})\p{L}+-\p{L}+/gu) ?? [];

describe('hyphenatedIn', () => {
  it('finds the words a hyphen joins, as the pattern over the whole text does', () => {
    expect(hyphenatedIn('a well-known, state-of-the-art x-ray; co-op-')).toEqual(['well-known', 'state-of', 'the-art', 'x-ray', 'co-op']);
    for (const text of [
      'a-b-c', 'a--b', '-a-b', 'a-b c-d', '1a-b2', 'x1-y', 'über-groß', 'naïve-ly', 'ab-', '-', '', 'i̇-x',
      '𝐀𝐁-𝐂 a-𝐂𝐃-e', '中文-字 к-ф', 'a-b-c-d-e', 'foo-\nbar', 'se-\u00adx', '𝐀-', 'a\u0301-b',
    ]) expect(hyphenatedIn(text), text).toEqual(byPattern(text));
  });

  it('agrees with the pattern on random text of letters, digits, marks, spaces and hyphens', () => {
    const alphabet = ['a', 'Z', 'é', '1', ' ', '-', '-', '\u0301', '𝐀', '中', '.', '\ud835'];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 3000; i++) {
      const text = Array.from({ length: 1 + Math.floor(next() * 16) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
      expect(hyphenatedIn(text), JSON.stringify(text)).toEqual(byPattern(text));
    }
  });
});
