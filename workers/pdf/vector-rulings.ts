import { OPS, type PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { Ruling } from '../layout/tables/table-blocks.js';

/**
 * The drawn rules of a born-digital page, read from pdf.js's operator list (no render): stroked
 * horizontal and vertical segments, and filled rectangles thin enough to be rules (many producers
 * draw table lines as 0.5 pt filled rectangles). Coordinates go through the CTM stack (`q`/`Q`/`cm`,
 * form XObjects) and the viewport into the page pixels the text blocks use.
 */

/** pdf.js's path commands inside a constructPath (its DrawOPS). */
const MOVE_TO = 0;
const LINE_TO = 1;
const CURVE_TO = 2;
const QUADRATIC_CURVE_TO = 3;
const CLOSE_PATH = 4;

/** A hostile page (a 500×500 grid drawn cell by cell, 100,000 tiny boxes) stops here: no tables, the text still read. */
export const MAX_PATH_NUMBERS = 400_000;
export const MAX_RULINGS = 6_000;

/** A filled rectangle at most this thick (pixels, and a share of its length) is a rule, not a shaded area. */
const THIN_FILL_PX = 4;
/** Segments shorter than this (pixels) are glyph-like marks, not rules. */
const MIN_LENGTH_PX = 6;
/** How far from axis-aligned (pixels over the segment's length) a rule may lean. */
const SKEW_PX = 1;

type Matrix = [number, number, number, number, number, number];

function multiply(m: Matrix, n: Matrix): Matrix {
  return [
    m[0] * n[0] + m[2] * n[1], m[1] * n[0] + m[3] * n[1],
    m[0] * n[2] + m[2] * n[3], m[1] * n[2] + m[3] * n[3],
    m[0] * n[4] + m[2] * n[5] + m[4], m[1] * n[4] + m[3] * n[5] + m[5],
  ];
}

const STROKES = new Set<number>([OPS.stroke, OPS.closeStroke, OPS.fillStroke, OPS.eoFillStroke, OPS.closeFillStroke, OPS.closeEOFillStroke]);
const FILLS = new Set<number>([OPS.fill, OPS.eoFill, OPS.fillStroke, OPS.eoFillStroke, OPS.closeFillStroke, OPS.closeEOFillStroke]);

interface State { ctm: Matrix; lineWidth: number }

/** Collects rules; `null` once the page holds more than a table finder should look at. */
class RulingSink {
  readonly rulings: Ruling[] = [];
  overflow = false;

  /** A stroked segment from (ax, ay) to (bx, by), already in pixels. */
  segment(ax: number, ay: number, bx: number, by: number, thickness: number): void {
    if (Math.abs(ay - by) <= SKEW_PX && Math.abs(bx - ax) >= MIN_LENGTH_PX) {
      const y = (ay + by) / 2;
      this.push({ x1: Math.min(ax, bx), y1: y, x2: Math.max(ax, bx), y2: y, thickness });
    } else if (Math.abs(ax - bx) <= SKEW_PX && Math.abs(by - ay) >= MIN_LENGTH_PX) {
      const x = (ax + bx) / 2;
      this.push({ x1: x, y1: Math.min(ay, by), x2: x, y2: Math.max(ay, by), thickness });
    }
  }

  /** A filled axis-aligned rectangle, in pixels: a rule when thin. */
  filledRect(x1: number, y1: number, x2: number, y2: number): void {
    const w = x2 - x1;
    const h = y2 - y1;
    if (h <= THIN_FILL_PX && w >= MIN_LENGTH_PX && w > 3 * h) this.push({ x1, y1: (y1 + y2) / 2, x2, y2: (y1 + y2) / 2, thickness: Math.max(h, 0.5) });
    else if (w <= THIN_FILL_PX && h >= MIN_LENGTH_PX && h > 3 * w) this.push({ x1: (x1 + x2) / 2, y1, x2: (x1 + x2) / 2, y2, thickness: Math.max(w, 0.5) });
  }

  private push(r: Ruling): void {
    if (this.rulings.length >= MAX_RULINGS) this.overflow = true;
    else this.rulings.push(r);
  }
}

/** Walks one constructPath's commands, handing segments (stroke) or rectangles (fill) to the sink. */
function tracePath(data: ArrayLike<number>, m: Matrix, paint: number, lineWidthPx: number, sink: RulingSink): void {
  const stroke = STROKES.has(paint);
  const fill = FILLS.has(paint);
  if (!stroke && !fill) return;
  const px = (x: number, y: number): [number, number] => [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];
  let points: Array<[number, number]> = [];
  let closed = false;
  const endSubpath = () => {
    if (fill && points.length >= 4) {
      const pts = closed || points.length > 4 ? points.slice(0, 4) : points;
      const xs = pts.map((p) => p[0]);
      const ys = pts.map((p) => p[1]);
      const x1 = Math.min(...xs); const x2 = Math.max(...xs);
      const y1 = Math.min(...ys); const y2 = Math.max(...ys);
      // Axis-aligned: every corner sits on the box's edges.
      if (pts.every(([x, y]) => (Math.abs(x - x1) < 0.5 || Math.abs(x - x2) < 0.5) && (Math.abs(y - y1) < 0.5 || Math.abs(y - y2) < 0.5))) {
        sink.filledRect(x1, y1, x2, y2);
      }
    }
    points = [];
    closed = false;
  };
  let i = 0;
  while (i < data.length) {
    const cmd = data[i]!;
    if (cmd === MOVE_TO) {
      endSubpath();
      points.push(px(data[i + 1]!, data[i + 2]!));
      i += 3;
    } else if (cmd === LINE_TO) {
      const p = px(data[i + 1]!, data[i + 2]!);
      const prev = points.at(-1);
      if (stroke && prev) sink.segment(prev[0], prev[1], p[0], p[1], lineWidthPx);
      points.push(p);
      i += 3;
    } else if (cmd === CURVE_TO || cmd === QUADRATIC_CURVE_TO) {
      // A curve is no rule, and a path with one is no rectangle.
      i += cmd === CURVE_TO ? 7 : 5;
      points = [];
    } else if (cmd === CLOSE_PATH) {
      const first = points[0];
      const prev = points.at(-1);
      if (stroke && first && prev) sink.segment(prev[0], prev[1], first[0], first[1], lineWidthPx);
      closed = true;
      endSubpath();
      i += 1;
    } else {
      return; // an unknown command: stop reading this path rather than misread it
    }
  }
  endSubpath();
}

/**
 * Rulings from an operator list, in the pixels of `viewportTransform`. `null` when the page draws
 * more than a table finder should look at (see MAX_PATH_NUMBERS, MAX_RULINGS).
 */
export function rulingsFromOperators(fnArray: ArrayLike<number>, argsArray: ArrayLike<unknown>, viewportTransform: number[]): Ruling[] | null {
  const sink = new RulingSink();
  const stack: State[] = [];
  let state: State = { ctm: viewportTransform.slice(0, 6) as Matrix, lineWidth: 1 };
  let numbers = 0;
  for (let k = 0; k < fnArray.length; k++) {
    const fn = fnArray[k]!;
    const args = argsArray[k] as unknown[] | null;
    switch (fn) {
      case OPS.save: stack.push({ ...state }); break;
      case OPS.restore: state = stack.pop() ?? state; break;
      case OPS.transform: state = { ...state, ctm: multiply(state.ctm, args as Matrix) }; break;
      case OPS.paintFormXObjectBegin: {
        stack.push({ ...state });
        const matrix = args?.[0] as Matrix | null;
        if (Array.isArray(matrix) && matrix.length === 6) state = { ...state, ctm: multiply(state.ctm, matrix) };
        break;
      }
      case OPS.paintFormXObjectEnd: state = stack.pop() ?? state; break;
      case OPS.setLineWidth: state = { ...state, lineWidth: Number(args?.[0]) || 0 }; break;
      case OPS.setGState: {
        for (const [key, value] of (args?.[0] as Array<[string, unknown]> | undefined) ?? []) {
          if (key === 'LW' && typeof value === 'number') state = { ...state, lineWidth: value };
        }
        break;
      }
      case OPS.constructPath: {
        const paint = args?.[0] as number;
        const data = (args?.[1] as Array<ArrayLike<number> | null> | undefined)?.[0];
        if (!data) break;
        numbers += data.length;
        if (numbers > MAX_PATH_NUMBERS) return null;
        const m = state.ctm;
        // A zero width is the thinnest line the device can draw: count it as one pixel.
        const widthPx = Math.max(state.lineWidth * Math.sqrt(Math.abs(m[0] * m[3] - m[1] * m[2])), 1);
        tracePath(data, m, paint, widthPx, sink);
        if (sink.overflow) return null;
        break;
      }
      default: break;
    }
  }
  return sink.rulings;
}

/** The page's rulings in the pixels of `viewportTransform` (see rulingsFromOperators). */
export async function vectorRulings(page: PDFPageProxy, viewportTransform: number[]): Promise<Ruling[] | null> {
  const list = await page.getOperatorList();
  return rulingsFromOperators(list.fnArray, list.argsArray, viewportTransform);
}
