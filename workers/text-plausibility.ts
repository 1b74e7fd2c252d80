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
  const chars = [...text.replace(/[\t\n\r\f\v \u00a0\u2000-\u200b\u3000]+/g, '')];
  if (chars.length < MIN_CHARACTERS) return { usable: false, reason: 'no-text-layer', ocrMustBeatIt: false };
  const share = (re: RegExp) => chars.filter((c) => re.test(c)).length / chars.length;

  if (share(/[\u0000-\u001f\u007f-\u009f]/) > MAX_CONTROL_SHARE) return implausible('control characters');
  if (share(/[\ufffd\ue000-\uf8ff]/u) >= MAX_REPLACEMENT_SHARE) return implausible('replacement characters');
  const scripts = scriptsOf(lang);
  if (scripts) {
    const inScript = scriptMatcher(scripts);
    const letters = chars.filter((c) => /\p{L}/u.test(c));
    const foreign = letters.filter((c) => !inScript.test(c)).length;
    if (letters.length > 0 && foreign / letters.length > MAX_FOREIGN_LETTER_SHARE) {
      return { ...implausible("characters outside the requested languages' scripts"), ocrMustBeatIt: true };
    }
  }
  if (share(/[\p{L}\p{N}]/u) <= MIN_WORDISH_SHARE) return implausible('few letters or digits');
  return { usable: true };
}

const implausible = (why: string) => ({ usable: false as const, reason: `${IMPLAUSIBLE}: ${why}`, ocrMustBeatIt: false });
