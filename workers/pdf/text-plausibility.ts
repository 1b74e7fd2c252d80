import { scriptMatcher, scriptsOf } from '../../src/languages/language-scripts.js';

/**
 * Whether a page's text layer can be trusted in ocr_mode=auto, and why not. Broken PDF producers
 * write text layers that render fine but extract as junk: fonts without a Unicode mapping
 * (replacement or private-use characters), ToUnicode maps that point at control characters, or
 * byte-swapped maps that turn Latin into Han ideographs. OCR beats all of them.
 */
/**
 * `ocrMustBeatIt`: the layer's only fault is its script, which a real page in a language the
 * client did not name also has; OCR replaces it only if it reads the page confidently.
 */
export type LayerVerdict = { usable: true } | { usable: false; reason: string; ocrMustBeatIt: boolean };

/** Below this many non-space characters a page has no text layer worth keeping. */
const MIN_CHARACTERS = 10;
/** Real text layers have no control characters; a few slip in from odd encodings. */
const MAX_CONTROL_SHARE = 0.02;
const MAX_REPLACEMENT_SHARE = 0.1;
/** Letters outside the requested languages' scripts: a formula or a foreign name is fine, a page of them is not. */
const MAX_FOREIGN_LETTER_SHARE = 0.2;
const MIN_WORDISH_SHARE = 0.5;

export const IMPLAUSIBLE = 'implausible-text-layer';

export function judgeTextLayer(text: string, lang: string): LayerVerdict {
  const t = tally(text, inScriptOf(lang));
  if (t.total < MIN_CHARACTERS) return { usable: false, reason: 'no-text-layer', ocrMustBeatIt: false };
  if (t.control / t.total > MAX_CONTROL_SHARE) return implausible('control characters');
  if (t.replacement / t.total >= MAX_REPLACEMENT_SHARE) return implausible('replacement characters');
  if (t.foreign !== null && t.letters > 0 && t.foreign / t.letters > MAX_FOREIGN_LETTER_SHARE) {
    return { ...implausible("characters outside the requested languages' scripts"), ocrMustBeatIt: true };
  }
  if (t.wordish / t.total <= MIN_WORDISH_SHARE) return implausible('few letters or digits');
  return { usable: true };
}

const implausible = (why: string) => ({ usable: false as const, reason: `${IMPLAUSIBLE}: ${why}`, ocrMustBeatIt: false });

/** Counts of a layer's characters (code points, whitespace left out); `foreign` is null when the languages' scripts are unknown. */
interface Tally { total: number; control: number; replacement: number; letters: number; foreign: number | null; wordish: number }

const LETTER = /\p{L}/u;
const NUMBER = /\p{N}/u;
/** Tabs, newlines and carriage returns are whitespace, not control junk. */
const isSpace = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0 || (c >= 0x2000 && c <= 0x200b) || c === 0x3000;

/**
 * One pass over the text, with ASCII classified by code and only other characters by Unicode
 * property: a page has thousands of characters, mostly ASCII in the common case.
 */
function tally(text: string, inScript: RegExp | null): Tally {
  const t: Tally = { total: 0, control: 0, replacement: 0, letters: 0, foreign: inScript ? 0 : null, wordish: 0 };
  const asciiLettersForeign = inScript !== null && !inScript.test('a');
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        c = ((c - 0xd800) << 10) + (low - 0xdc00) + 0x10000;
        i++;
      }
    }
    if (isSpace(c)) continue;
    t.total++;
    if (c < 0x80) {
      const lower = c | 0x20;
      if (c < 0x20 || c === 0x7f) t.control++;
      else if (lower >= 0x61 && lower <= 0x7a) {
        t.letters++;
        t.wordish++;
        if (asciiLettersForeign) t.foreign!++;
      } else if (c >= 0x30 && c <= 0x39) t.wordish++;
      continue;
    }
    if (c <= 0x9f) t.control++;
    if (c === 0xfffd || (c >= 0xe000 && c <= 0xf8ff)) t.replacement++;
    const ch = String.fromCodePoint(c);
    if (LETTER.test(ch)) {
      t.letters++;
      t.wordish++;
      if (inScript && !inScript.test(ch)) t.foreign!++;
    } else if (NUMBER.test(ch)) t.wordish++;
  }
  return t;
}

/** Per language string: a character of its scripts (null when its scripts are unknown). */
const inScripts = new Map<string, RegExp | null>();
function inScriptOf(lang: string): RegExp | null {
  if (!inScripts.has(lang)) {
    const scripts = scriptsOf(lang);
    inScripts.set(lang, scripts ? scriptMatcher(scripts) : null);
  }
  return inScripts.get(lang)!;
}
