import type { Ruling } from './table-types.js';

/**
 * Rulings cleaned into the lines a table grid is read from: horizontal and vertical apart,
 * collinear pieces joined (a rule drawn cell by cell, a double border), and the lines that meet
 * grouped into connected frames (one per ruled table).
 */

export interface HLine { y: number; x1: number; x2: number }
export interface VLine { x: number; y1: number; y2: number }
export interface RuledFrame { h: HLine[]; v: VLine[]; bbox: [number, number, number, number] }

interface Span { at: number; from: number; to: number }

/** Joins spans on (nearly) the same `at` whose extents touch or overlap within `tol`. */
function joinCollinear(spans: Span[], tol: number): Span[] {
  spans.sort((a, b) => a.at - b.at);
  const out: Span[] = [];
  let i = 0;
  while (i < spans.length) {
    // A band of spans within `tol` of the band's first one: one line position.
    let j = i;
    while (j < spans.length && spans[j]!.at - spans[i]!.at <= tol) j++;
    const band = spans.slice(i, j).sort((a, b) => a.from - b.from);
    let cur: Span | null = null;
    let sumAt = 0;
    let n = 0;
    for (const s of band) {
      if (cur && s.from <= cur.to + tol) {
        cur.to = Math.max(cur.to, s.to);
        sumAt += s.at;
        n++;
      } else {
        if (cur) out.push({ ...cur, at: sumAt / n });
        cur = { ...s };
        sumAt = s.at;
        n = 1;
      }
    }
    if (cur) out.push({ ...cur, at: sumAt / n });
    i = j;
  }
  return out;
}

export function cleanRulings(rulings: Ruling[], tol: number): { h: HLine[]; v: VLine[] } {
  const hs: Span[] = [];
  const vs: Span[] = [];
  for (const r of rulings) {
    const x1 = Math.min(r.x1, r.x2); const x2 = Math.max(r.x1, r.x2);
    const y1 = Math.min(r.y1, r.y2); const y2 = Math.max(r.y1, r.y2);
    if (![x1, x2, y1, y2].every(Number.isFinite)) continue;
    if (x2 - x1 >= y2 - y1) hs.push({ at: (y1 + y2) / 2, from: x1, to: x2 });
    else vs.push({ at: (x1 + x2) / 2, from: y1, to: y2 });
  }
  return {
    h: joinCollinear(hs, tol).map((s) => ({ y: s.at, x1: s.from, x2: s.to })),
    v: joinCollinear(vs, tol).map((s) => ({ x: s.at, y1: s.from, y2: s.to })),
  };
}

export const meets = (h: HLine, v: VLine, tol: number) =>
  v.x >= h.x1 - tol && v.x <= h.x2 + tol && h.y >= v.y1 - tol && h.y <= v.y2 + tol;

/** Lines grouped by meeting (union-find over the H×V crossings); every frame has at least one line. */
export function ruledFrames(h: HLine[], v: VLine[], tol: number): RuledFrame[] {
  const parent = Array.from({ length: h.length + v.length }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  for (let a = 0; a < h.length; a++) {
    for (let b = 0; b < v.length; b++) {
      if (meets(h[a]!, v[b]!, tol)) parent[find(a)] = find(h.length + b);
    }
  }
  const groups = new Map<number, RuledFrame>();
  const frameOf = (i: number) => {
    const root = find(i);
    let f = groups.get(root);
    if (!f) groups.set(root, (f = { h: [], v: [], bbox: [Infinity, Infinity, -Infinity, -Infinity] }));
    return f;
  };
  h.forEach((line, i) => {
    const f = frameOf(i);
    f.h.push(line);
    f.bbox = [Math.min(f.bbox[0], line.x1), Math.min(f.bbox[1], line.y), Math.max(f.bbox[2], line.x2), Math.max(f.bbox[3], line.y)];
  });
  v.forEach((line, i) => {
    const f = frameOf(h.length + i);
    f.v.push(line);
    f.bbox = [Math.min(f.bbox[0], line.x), Math.min(f.bbox[1], line.y1), Math.max(f.bbox[2], line.x), Math.max(f.bbox[3], line.y2)];
  });
  return [...groups.values()];
}

/** Distinct positions (clustered within `tol`), ascending. */
export function clusterPositions(values: number[], tol: number): number[] {
  const s = [...values].sort((a, b) => a - b);
  const out: number[] = [];
  let group: number[] = [];
  for (const x of s) {
    if (group.length && x - group[0]! > tol) {
      out.push(group.reduce((a, b) => a + b, 0) / group.length);
      group = [];
    }
    group.push(x);
  }
  if (group.length) out.push(group.reduce((a, b) => a + b, 0) / group.length);
  return out;
}
