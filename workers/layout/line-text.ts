/**
 * Text-level rules for Markdown: what starts a list item, and how lines join into a paragraph.
 */

/**
 * Bullet glyphs, and what OCR commonly reads a bullet as (®, ¢, ©, «, *, a lone "o" or "e"),
 * followed by a space or glued to a capital. The lone letters only count before a capital, where
 * they cannot be a word of the sentence.
 */
const BULLET = /^(?:[•·●▪◦‣∙○■□➢►*\-–®¢©«»](?:\s+|(?=\p{Lu}))|[oe]\s+(?=\p{Lu}))/u;
/** `1.`, `2)`, `(3)`, `a)`, `(b)`: a numbered or lettered item. */
const NUMBERED = /^\(?(\d{1,3})[.)]\s+|^\(?([a-z])\)\s+/;

export interface ListMarker {
  /** Characters of the line the marker takes up (with the space after it). */
  length: number;
  /** `3.` for a numbered item; undefined for a bullet (lettered items keep their letter in the text). */
  ordinal?: string;
}

/**
 * The list marker a line starts with, if any. Numbers and lone letters are only markers where a
 * new item may begin (`atItemStart`): inside a running sentence "2) the next" is text.
 */
export function listMarker(line: string, atItemStart = true): ListMarker | null {
  const bullet = BULLET.exec(line);
  if (bullet && (atItemStart || !/^[oe]\s/.test(line))) return { length: bullet[0].length };
  if (!atItemStart) return null;
  const numbered = NUMBERED.exec(line);
  if (!numbered) return null;
  if (numbered[1]) return { length: numbered[0].length, ordinal: `${Number(numbered[1])}.` };
  return { length: 0 };
}

const HYPHENS = new Set(['-', '\u00AD', '\u2010']);
const LETTER = /^\p{L}$/u;
const DASH_END = /[—–]$/;

/**
 * The word before a hyphen that ends `text` ("recog" of "… recog-"), read backwards from the end.
 * A `$`-anchored regex would retry from every letter of the growing paragraph: quadratic, and it
 * was a third of the main thread's time on born-digital documents.
 */
function brokenWordAtEnd(text: string): string | undefined {
  if (!HYPHENS.has(text.at(-1) ?? '')) return undefined;
  const chars = Array.from(text.slice(-80, -1));
  let start = chars.length;
  while (start > 0 && LETTER.test(chars[start - 1]!)) start--;
  return start < chars.length ? chars.slice(start).join('') : undefined;
}

/** Words a page hyphenates mid-line, lower case: asked one at a time. */
export type HyphenatedWords = Pick<ReadonlySet<string>, 'has'>;

const isLetter = (cp: number) => (cp < 0x80 ? ((cp | 0x20) >= 0x61 && (cp | 0x20) <= 0x7a) : LETTER.test(String.fromCodePoint(cp)));

/**
 * The words of `text` that hold a hyphen between letters ("well-known"): what
 * `text.match(/(?<!\p{L})\p{L}+-\p{L}+/gu)` finds (a whole run of letters, a hyphen, the letters
 * after it; the search goes on after them, so "a-b-c" gives "a-b"), found from the hyphens
 * instead of by running that pattern over every character: it was a fifth of a page's Markdown.
 */
export function hyphenatedIn(text: string): string[] {
  const found: string[] = [];
  let searchedTo = 0;
  for (let hyphen = text.indexOf('-'); hyphen >= 0; hyphen = text.indexOf('-', hyphen + 1)) {
    let start = hyphen;
    while (start > searchedTo) {
      const low = text.charCodeAt(start - 1);
      const pair = low >= 0xdc00 && low <= 0xdfff && start - 2 >= searchedTo && text.charCodeAt(start - 2) >= 0xd800 && text.charCodeAt(start - 2) <= 0xdbff;
      if (!isLetter(pair ? text.codePointAt(start - 2)! : low)) break;
      start -= pair ? 2 : 1;
    }
    // No letters before it. (The walk back never passes the last word found: the character after
    // that word is not a letter.)
    if (start === hyphen) continue;
    let end = hyphen + 1;
    for (let cp = text.codePointAt(end); cp !== undefined && isLetter(cp); cp = text.codePointAt(end)) end += cp > 0xffff ? 2 : 1;
    if (end === hyphen + 1) continue;
    found.push(text.slice(start, end));
    searchedTo = end;
    hyphen = end - 1;
  }
  return found;
}

/**
 * Joins a paragraph's lines. A word broken at a line end ("recog-" + "nition") is mended; a
 * hyphen before a capital ("Beat-" + "Per-Minute") or one the page also uses mid-line
 * ("well-known", given in `hyphenatedWords`, lower case) is a real one and stays.
 */
export function joinLines(lines: string[], hyphenatedWords: HyphenatedWords = new Set()): string {
  let out = '';
  for (const raw of lines) {
    const line = raw.trim();
    if (!line) continue;
    if (!out) {
      out = line;
      continue;
    }
    const broken = brokenWordAtEnd(out);
    if (broken && /^\p{Ll}/u.test(line)) {
      const head = /^\p{L}+/u.exec(line)![0];
      const keep = hyphenatedWords.has(`${broken}-${head}`.toLowerCase());
      out = keep ? `${out.slice(0, -1)}-${line}` : out.slice(0, -1) + line;
    } else if (broken || DASH_END.test(out) || /^[—–]/.test(line)) {
      out += line;
    } else {
      out += ` ${line}`;
    }
  }
  return out;
}
