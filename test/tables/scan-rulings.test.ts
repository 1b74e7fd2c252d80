import { describe, expect, it } from 'vitest';
import type { Ruling } from '../../workers/layout/tables/table-blocks.js';
import { findRulings, hasFills, MAX_RULINGS } from '../../workers/raster/rulings.js';
import { ruledGrid, skewedText, type GridLook, type GridRules } from '../fixtures/drawn-pages.js';

/** A line of 150-dpi body text is ~30 px high (what the OCR's lines measure on these pages). */
const TYPE = 30;

const horizontal = (rs: Ruling[]) => rs.filter((r) => r.y1 === r.y2).sort((a, b) => a.y1 - b.y1);
const vertical = (rs: Ruling[]) => rs.filter((r) => r.x1 === r.x2).sort((a, b) => a.x1 - b.x1);

/**
 * Each drawn rule found once, where it was drawn (±2 px), spanning the grid (±`ends` px: a rule
 * runs to the far side of the rules it meets).
 */
function expectRules(found: Ruling[], rules: GridRules, ends = 3): void {
  const h = horizontal(found);
  const v = vertical(found);
  expect(h.map((r) => r.y1)).toHaveLength(rules.ys.length);
  expect(v.map((r) => r.x1)).toHaveLength(rules.xs.length);
  h.forEach((r, i) => {
    expect(Math.abs(r.y1 - rules.ys[i]!)).toBeLessThanOrEqual(2);
    expect(Math.abs(r.x1 - rules.xs[0]!)).toBeLessThanOrEqual(ends);
    expect(Math.abs(r.x2 - rules.xs.at(-1)!)).toBeLessThanOrEqual(ends);
  });
  v.forEach((r, i) => {
    expect(Math.abs(r.x1 - rules.xs[i]!)).toBeLessThanOrEqual(2);
    expect(Math.abs(r.y1 - rules.ys[0]!)).toBeLessThanOrEqual(ends);
    expect(Math.abs(r.y2 - rules.ys.at(-1)!)).toBeLessThanOrEqual(ends);
  });
}

const grid: GridLook = { rows: 6, cols: 4, cellWidth: 220, cellHeight: 48, text: true };

describe('findRulings on a scan', () => {
  it('finds every rule of a ruled table with words in its cells, and none in the words', () => {
    const { grey, rules } = ruledGrid(grid);
    expectRules(findRulings(grey, TYPE), rules);
  });

  it('finds the rules of a table on a grey fill, drawn in a grey only a little darker', () => {
    const { grey, rules } = ruledGrid({ ...grid, fill: '#a8a8a8', lineColour: '#6e6e6e' });
    expectRules(findRulings(grey, TYPE), rules);
  });

  it('finds the rules of a table on a coloured page, and of thin pale rules on white', () => {
    const coloured = ruledGrid({ ...grid, paper: '#f4e2b8', fill: '#7fa6d9', lineColour: '#1d3a6b' });
    expectRules(findRulings(coloured.grey, TYPE), coloured.rules);
    const pale = ruledGrid({ ...grid, line: 1, lineColour: '#9a9a9a' });
    expectRules(findRulings(pale.grey, TYPE), pale.rules);
  });

  it('takes the white gutters between shaded cells for the inner rules, and finds none in white paper between lines', () => {
    const { grey, rules } = ruledGrid({ ...grid, fill: '#b4b4b4', lineColour: '#ffffff', line: 4 });
    // The outer gutters lie against the white page: nothing tells them from the paper.
    const inner = { ys: rules.ys.slice(1, -1), xs: rules.xs.slice(1, -1) };
    const found = findRulings(grey, TYPE);
    expect(horizontal(found).map((r) => Math.round(r.y1))).toEqual(inner.ys.map((y) => expect.closeTo(y, 0)));
    expect(vertical(found).map((r) => Math.round(r.x1))).toEqual(inner.xs.map((x) => expect.closeTo(x, 0)));
    for (const r of horizontal(found)) expect(r.x2 - r.x1).toBeGreaterThan(rules.xs.at(-1)! - rules.xs[0]! - 10);
  });

  it('finds the same rules on a 300-dpi page, searched at half size, in the page\'s own pixels', () => {
    const { grey, rules } = ruledGrid({ ...grid, cellWidth: 440, cellHeight: 96, left: 200, top: 300, line: 4, width: 2480, height: 3200 });
    expectRules(findRulings(grey, TYPE * 2), rules, 5);
  });

  it('bridges a rule\'s small dropouts, as a scan breaks thin lines', () => {
    const { grey, rules } = ruledGrid({ ...grid, text: false });
    const row = Math.round(rules.ys[2]!);
    for (let x = 200; x < 900; x += 60) for (let y = row - 2; y <= row + 2; y++) grey.data[y * grey.width + x] = 255;
    expectRules(findRulings(grey, TYPE), rules);
  });

  it('finds rules at odd columns of a page whose rows do not start four-byte aligned, dropouts bridged', () => {
    // 1003 px wide: the row and column scans pass over paper four pixels at a time where aligned.
    const width = 1003;
    const grey = { width, height: 401, data: new Uint8Array(width * 401).fill(255) };
    for (let y = 100; y <= 101; y++) grey.data.fill(0, y * width + 13, y * width + 951);
    for (let y = 50; y <= 350; y++) grey.data.fill(0, y * width + 37, y * width + 39);
    for (let y = 100; y <= 101; y++) grey.data[y * width + 500] = 255;
    grey.data.fill(255, 200 * width + 37, 200 * width + 39);
    expect(findRulings(grey, 20)).toEqual([
      { x1: 13, y1: 100.5, x2: 950, y2: 100.5, thickness: 2 },
      { x1: 37.5, y1: 50, x2: 37.5, y2: 350, thickness: 2 },
    ]);
  });

  it('finds no rules on a page of prose', () => {
    expect(findRulings(skewedText(0).grey, TYPE)).toEqual([]);
  });

  it('looks for white gutters on a page with shaded cells, not on a page of dense type (its strokes are no fill)', () => {
    // Lines of 4-px stems, 20 px tall, 8 px apart: in the 2 × 2 blocks of a 200-dpi page's search
    // (k = 2), such strokes alone passed for fill, and every page of the real scans was searched.
    const width = 1240;
    const height = 1600;
    const data = new Uint8Array(width * height).fill(255);
    for (let top = 100; top + 20 < height - 100; top += 36) {
      for (let y = top; y < top + 20; y++) for (let x = 100; x < width - 100; x++) if (x % 8 < 4) data[y * width + x] = 20;
    }
    expect(hasFills({ data, width, height }, 2, TYPE)).toBe(false);
    expect(hasFills(skewedText(0).grey, 2, TYPE)).toBe(false);
    expect(hasFills(ruledGrid({ ...grid, fill: '#b4b4b4', lineColour: '#ffffff', line: 4 }).grey, 2, TYPE)).toBe(true);
  });
});

describe('findRulings on hostile pages', () => {
  it('reads a 500 × 500 ruled grid in full, within the cap', () => {
    const { grey } = ruledGrid({ rows: 500, cols: 500, cellWidth: 4, cellHeight: 6, left: 20, top: 20, line: 1, text: false, width: 2100, height: 3100 });
    const found = findRulings(grey, 12);
    expect(horizontal(found)).toHaveLength(501);
    expect(vertical(found)).toHaveLength(501);
  });

  it('keeps at most MAX_RULINGS each way, the longest, on a page of nothing but lines', () => {
    const width = 2550;
    const height = 3300;
    const data = new Uint8Array(width * height).fill(255);
    // Rules three pixels apart: every tenth across the page, the others two short pieces each.
    for (let y = 0; y < height; y += 3) {
      const pieces = y % 30 === 0 ? [[0, width]] : [[1000, 1100], [1500, 1600]];
      for (const [from, to] of pieces) for (let x = from!; x < to!; x++) data[y * width + x] = 0;
    }
    const found = findRulings({ data, width, height }, 8);
    const h = horizontal(found);
    expect(h.length).toBe(MAX_RULINGS);
    expect(h.filter((r) => r.x2 - r.x1 > 2000)).toHaveLength(110);
    expect(vertical(found)).toEqual([]);
  });
});
