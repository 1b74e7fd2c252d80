/**
 * The ICDAR 2013 table competition's structure measure: every table becomes the set of its
 * adjacency relations — each non-empty cell with its nearest non-empty neighbour to the right
 * and below (a spanning cell with each neighbour along its span) — with cell contents normalised,
 * and predicted relations are matched to true ones as multisets. Pure: (truth, predicted) in,
 * counts out.
 */

/** A table as rows of cells with spans; end indices inclusive. */
export interface ScoredCell { row: number; col: number; endRow: number; endCol: number; text: string }

export interface Counts { truth: number; predicted: number; correct: number }

/** Contents compared as the competition did, insensitive to spacing and punctuation: letters and digits, lower case. */
export function normaliseContent(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
}

/** A table's adjacency relations as keys `a\u0000b\u0000h|v`, with repeats. */
export function adjacencyRelations(cells: ScoredCell[]): string[] {
  const filled = cells.filter((c) => normaliseContent(c.text) !== '');
  const at = new Map<string, number>();
  filled.forEach((c, i) => {
    for (let r = c.row; r <= c.endRow; r++) for (let k = c.col; k <= c.endCol; k++) at.set(`${r}:${k}`, i);
  });
  const maxRow = Math.max(0, ...filled.map((c) => c.endRow));
  const maxCol = Math.max(0, ...filled.map((c) => c.endCol));
  const out: string[] = [];
  filled.forEach((c, i) => {
    const right = new Set<number>();
    for (let r = c.row; r <= c.endRow; r++) {
      for (let k = c.endCol + 1; k <= maxCol; k++) {
        const j = at.get(`${r}:${k}`);
        if (j !== undefined && j !== i) {
          right.add(j);
          break;
        }
      }
    }
    const below = new Set<number>();
    for (let k = c.col; k <= c.endCol; k++) {
      for (let r = c.endRow + 1; r <= maxRow; r++) {
        const j = at.get(`${r}:${k}`);
        if (j !== undefined && j !== i) {
          below.add(j);
          break;
        }
      }
    }
    const a = normaliseContent(c.text);
    for (const j of right) out.push(`${a}\u0000${normaliseContent(filled[j]!.text)}\u0000h`);
    for (const j of below) out.push(`${a}\u0000${normaliseContent(filled[j]!.text)}\u0000v`);
  });
  return out;
}

/** Relations in common, counted as multisets. */
export function matchRelations(truth: string[], predicted: string[]): Counts {
  const left = new Map<string, number>();
  for (const t of truth) left.set(t, (left.get(t) ?? 0) + 1);
  let correct = 0;
  for (const p of predicted) {
    const n = left.get(p) ?? 0;
    if (n > 0) {
      correct++;
      left.set(p, n - 1);
    }
  }
  return { truth: truth.length, predicted: predicted.length, correct };
}

export const precision = (c: Counts) => (c.predicted ? c.correct / c.predicted : c.truth ? 0 : 1);
export const recall = (c: Counts) => (c.truth ? c.correct / c.truth : 1);
export const f1 = (p: number, r: number) => (p + r ? (2 * p * r) / (p + r) : 0);

export const addCounts = (a: Counts, b: Counts): Counts => ({
  truth: a.truth + b.truth, predicted: a.predicted + b.predicted, correct: a.correct + b.correct,
});
