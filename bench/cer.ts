/** Character error rate: edit distance between the texts (whitespace folded) over the reference length. */
export function normalizeText(s: string): string {
  return s.normalize('NFC').replace(/[‘’]/g, "'").replace(/[“”]/g, '"').replace(/\s+/g, ' ').trim();
}

export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let prev = new Uint32Array(b.length + 1).map((_, j) => j);
  let cur = new Uint32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const cost = ca === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

export function cer(hypothesis: string, reference: string): number {
  const ref = normalizeText(reference);
  if (ref.length === 0) return normalizeText(hypothesis).length === 0 ? 0 : 1;
  return editDistance(normalizeText(hypothesis), ref) / ref.length;
}

/**
 * CER of a document read page by page: the pages' edits over the pages' reference lengths. Aligning
 * page with page keeps it linear in the page count (one edit distance over a 26-page text takes
 * ~20 s) and keeps one misread page from shifting the alignment of the rest. When the page counts
 * differ, the whole texts are compared.
 */
export function pagesCer(hypotheses: string[], references: string[]): number {
  if (hypotheses.length !== references.length) return cer(hypotheses.join('\n'), references.join('\n'));
  let edits = 0;
  let length = 0;
  references.forEach((reference, i) => {
    const ref = normalizeText(reference);
    edits += editDistance(normalizeText(hypotheses[i]!), ref);
    length += ref.length;
  });
  if (length === 0) return edits === 0 ? 0 : 1; // as cer(): text where none is expected is all error
  return edits / length;
}
