import { scriptMatcher, scriptsOf } from '../src/pipeline/language-scripts.js';

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
  // Tabs, newlines and carriage returns are whitespace, not control junk.
  const dense = text.replace(/[\t\n\r\f\v \u00a0\u2000-\u200b\u3000]+/g, '');
  // Shares of characters (code points), counted by the regex engine: a page has thousands.
  const total = dense.length - count(dense, SURROGATE_PAIR);
  if (total < MIN_CHARACTERS) return { usable: false, reason: 'no-text-layer', ocrMustBeatIt: false };
  const share = (re: RegExp) => count(dense, re) / total;

  if (share(CONTROL) > MAX_CONTROL_SHARE) return implausible('control characters');
  if (share(REPLACEMENT) >= MAX_REPLACEMENT_SHARE) return implausible('replacement characters');
  const foreignLetter = foreignLetterOf(lang);
  if (foreignLetter) {
    const letters = count(dense, LETTER);
    if (letters > 0 && count(dense, foreignLetter) / letters > MAX_FOREIGN_LETTER_SHARE) {
      return { ...implausible("characters outside the requested languages' scripts"), ocrMustBeatIt: true };
    }
  }
  if (share(WORDISH) <= MIN_WORDISH_SHARE) return implausible('few letters or digits');
  return { usable: true };
}

const SURROGATE_PAIR = /[\ud800-\udbff][\udc00-\udfff]/g;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const REPLACEMENT = /[\ufffd\ue000-\uf8ff]/gu;
const LETTER = /\p{L}/gu;
const WORDISH = /[\p{L}\p{N}]/gu;

/** How many times the global, one-character `re` matches in `text`. */
function count(text: string, re: RegExp): number {
  let n = 0;
  re.lastIndex = 0;
  while (re.exec(text) !== null) n++;
  return n;
}

/** Per language string: a letter outside its scripts (null when its scripts are unknown). */
const foreignLetters = new Map<string, RegExp | null>();
function foreignLetterOf(lang: string): RegExp | null {
  if (!foreignLetters.has(lang)) {
    const scripts = scriptsOf(lang);
    foreignLetters.set(lang, scripts ? new RegExp(`(?!${scriptMatcher(scripts).source})\\p{L}`, 'gu') : null);
  }
  return foreignLetters.get(lang)!;
}

const implausible = (why: string) => ({ usable: false as const, reason: `${IMPLAUSIBLE}: ${why}`, ocrMustBeatIt: false });
