/**
 * Word F1, the score of the issue's accuracy figures: order-free and exact per word.
 *
 * Tokens: the text split on whitespace; each token NFKC-normalised and its curly quotes and en/em
 * dashes folded to ASCII (OCR engines and transcribers disagree on those, readers do not); case and
 * punctuation are kept ("exact words": `Inc.` is not `Inc`). A page's words are a multiset: a
 * hypothesis word matches a truth word only while an unmatched copy of it remains, so a word read
 * twice counts once and a word missed is missed wherever it stood.
 * precision = matched / hypothesis words, recall = matched / truth words, F1 = 2·matched / (both).
 * The set's figure is the mean of the pages' F1 (every page weighs the same, as in the set's own
 * per-page table); the pooled (micro) F1 is reported beside it. With these rules the published
 * tesseract.js and scribe.js hOCR score 86.3 % and 90.5 %, the issue's figures.
 */

export interface WordScore { truth: number; hypothesis: number; matched: number; f1: number }

/** The comparable form of one whitespace-separated token ('' when nothing of it is compared). */
export function normalizeWord(token: string): string {
  return token
    .normalize('NFKC')
    .replace(/[‘’‚‛]/g, "'")
    .replace(/[“”„‟]/g, '"')
    .replace(/[–—]/g, '-');
}

export function words(text: string): string[] {
  return text.split(/\s+/).map(normalizeWord).filter((w) => w.length > 0);
}

export function wordScore(hypothesis: string[], truth: string[]): WordScore {
  const left = new Map<string, number>();
  for (const w of truth) left.set(w, (left.get(w) ?? 0) + 1);
  let matched = 0;
  for (const w of hypothesis) {
    const n = left.get(w) ?? 0;
    if (n > 0) {
      matched++;
      left.set(w, n - 1);
    }
  }
  return { truth: truth.length, hypothesis: hypothesis.length, matched, f1: f1(matched, truth.length, hypothesis.length) };
}

function f1(matched: number, truth: number, hypothesis: number): number {
  if (truth + hypothesis === 0) return 1;
  return (2 * matched) / (truth + hypothesis);
}

/** The set's figure (mean of the pages' F1), the pooled F1, and pooled precision and recall. */
export function overall(scores: WordScore[]): { f1: number; pooled_f1: number; precision: number; recall: number } {
  const sum = (k: keyof WordScore) => scores.reduce((a, s) => a + s[k], 0);
  const matched = sum('matched');
  return {
    f1: scores.length ? scores.reduce((a, s) => a + s.f1, 0) / scores.length : 0,
    pooled_f1: f1(matched, sum('truth'), sum('hypothesis')),
    precision: sum('hypothesis') ? matched / sum('hypothesis') : 0,
    recall: sum('truth') ? matched / sum('truth') : 0,
  };
}
