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
