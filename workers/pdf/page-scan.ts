import { OPS, type PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';

/** A page counts as a scan when one image covers at least this share of it. */
const SCAN_COVERAGE = 0.5;
/** How far (in points) a sole image's edges may be from the page's and still be "the page". */
const EDGE_TOLERANCE_PT = 1;

/**
 * Operators that neither draw nor change how an image is drawn. A page whose list holds only
 * these and one image is that image: its pixels can be read as they are, without rendering.
 */
const NEUTRAL_OPS = new Set<number>([
  OPS.save, OPS.restore, OPS.transform, OPS.dependency,
  OPS.beginMarkedContent, OPS.beginMarkedContentProps, OPS.endMarkedContent,
]);

/** Graphics-state entries that leave an opaque image as it is (line styles, normal blending, full opacity). */
const NEUTRAL_GSTATE: Record<string, (v: unknown) => boolean> = {
  LW: () => true, LC: () => true, LJ: () => true, ML: () => true, D: () => true, RI: () => true, FL: () => true, SA: () => true,
  BM: (v) => v === 'source-over', CA: (v) => v === 1, ca: (v) => v === 1, SMask: (v) => v === false,
};
const isNeutralGState = (args: unknown[]) =>
  (args[0] as [string, unknown][]).every(([key, value]) => NEUTRAL_GSTATE[key]?.(value) ?? false);

type Matrix = [number, number, number, number, number, number];
const multiply = (m: Matrix, n: number[]): Matrix => [
  m[0] * n[0]! + m[2] * n[1]!, m[1] * n[0]! + m[3] * n[1]!,
  m[0] * n[2]! + m[2] * n[3]!, m[1] * n[2]! + m[3] * n[3]!,
  m[0] * n[4]! + m[2] * n[5]! + m[4], m[1] * n[4]! + m[3] * n[5]! + m[5],
];

export interface PageScan {
  /** Pixels per inch of the page's biggest image as drawn (the lower of the two axes). */
  dpi: number;
  /**
   * The pdf.js object id of that image when it alone makes the page: nothing else is drawn, it
   * is drawn square-pixelled, unmirrored, upright or turned by a quarter, and covers the page
   * edge to edge. Its pixels, turned by `soleImageTurn`, are then exactly what a render at `dpi`
   * would produce, so the render can be skipped.
   */
  soleImage: string | null;
  /** The clockwise turn (0, 90, 180, 270) with which that image is drawn on the page. */
  soleImageTurn: number;
  /** Pixels of that image as decoded (width × height). */
  pixels: number;
}

const DRAW_MOVE = 0;
const DRAW_LINE = 1;
const DRAW_CLOSE = 4;

/** The corners of a path that is one rectangle (`re`, or moveTo + three lineTo), or null. */
function rectangleCorners(data: ArrayLike<number>): [number, number][] | null {
  const n = data.length;
  if ((n !== 12 && n !== 13) || data[0] !== DRAW_MOVE || (n === 13 && data[12] !== DRAW_CLOSE)) return null;
  const corners: [number, number][] = [[data[1]!, data[2]!]];
  for (let k = 3; k < 12; k += 3) {
    if (data[k] !== DRAW_LINE) return null;
    corners.push([data[k + 1]!, data[k + 2]!]);
  }
  return corners;
}

/**
 * Whether the clip at `i` (pdf.js lists `clip`, then the path it clips to) is a rectangle that
 * holds the whole page, so that it hides nothing: scanners and page tools often wrap a scan in
 * one. A clip that hides part of the page (a redaction by clipping) is not neutral.
 */
function clipHidesNothing(ops: { fnArray: number[]; argsArray: unknown[] }, i: number, ctm: Matrix, view: number[]): boolean {
  if (ops.fnArray[i + 1] !== OPS.constructPath) return false;
  const [endOp, paths] = ops.argsArray[i + 1] as [number, ArrayLike<number>[] | undefined];
  const corners = endOp === OPS.endPath && paths?.length === 1 ? rectangleCorners(paths[0]!) : null;
  if (!corners) return false;
  const onPage = corners.map(([x, y]) => [ctm[0] * x + ctm[2] * y + ctm[4], ctm[1] * x + ctm[3] * y + ctm[5]] as const);
  const axisAligned = onPage.every(([x, y], k) => {
    const [nx, ny] = onPage[(k + 1) % 4]!;
    return Math.abs(x - nx) <= EDGE_TOLERANCE_PT || Math.abs(y - ny) <= EDGE_TOLERANCE_PT;
  });
  const xs = onPage.map((p) => p[0]);
  const ys = onPage.map((p) => p[1]);
  const [x0, y0, x1, y1] = view as [number, number, number, number];
  return axisAligned && Math.min(...xs) <= Math.min(x0, x1) + EDGE_TOLERANCE_PT && Math.max(...xs) >= Math.max(x0, x1) - EDGE_TOLERANCE_PT
    && Math.min(...ys) <= Math.min(y0, y1) + EDGE_TOLERANCE_PT && Math.max(...ys) >= Math.max(y0, y1) - EDGE_TOLERANCE_PT;
}

interface ImagePaint { id: string | null; width: number; height: number; ctm: Matrix }

function imagePaint(fn: number, args: unknown[], ctm: Matrix): ImagePaint | null {
  if (fn === OPS.paintImageXObject) return { id: args[0] as string, width: args[1] as number, height: args[2] as number, ctm };
  if (fn === OPS.paintInlineImageXObject) {
    const img = args[0] as { width: number; height: number };
    return { id: null, width: img.width, height: img.height, ctm };
  }
  return null;
}

/**
 * The clockwise quarter turn (0, 90, 180 or 270) of an image drawn with `ctm` that fills the page
 * box exactly, or null when it is tilted, mirrored or does not fill the page. Page tools often
 * turn a scan by drawing its image turned rather than by /Rotate (cardinal.pdf's pages 2–4).
 */
function quarterTurnFillingPage(ctm: Matrix, view: number[]): number | null {
  const [a, b, c, d, e, f] = ctm;
  const negligible = (v: number, beside: number) => Math.abs(v) <= 1e-6 * Math.abs(beside);
  let turn: number | null = null;
  if (negligible(b, a) && negligible(c, d)) turn = a > 0 && d > 0 ? 0 : a < 0 && d < 0 ? 180 : null;
  else if (negligible(a, b) && negligible(d, c)) turn = b < 0 && c > 0 ? 90 : b > 0 && c < 0 ? 270 : null;
  if (turn === null) return null;
  const xs = [e, a + e, c + e, a + c + e];
  const ys = [f, b + f, d + f, b + d + f];
  const [x0, y0, x1, y1] = view as [number, number, number, number];
  const near = (p: number, q: number) => Math.abs(p - q) <= EDGE_TOLERANCE_PT;
  const fills = near(Math.min(...xs), Math.min(x0, x1)) && near(Math.max(...xs), Math.max(x0, x1))
    && near(Math.min(...ys), Math.min(y0, y1)) && near(Math.max(...ys), Math.max(y0, y1));
  return fills ? turn : null;
}

/**
 * What kind of scan a page is, or null when it is not one big image. Rendering a scan finer
 * than its own resolution only adds pixels for OCR to chew on (measured on 200-dpi scans: 300-dpi
 * renders were 30 % slower and no more accurate), and a page that is nothing but its image need
 * not be rendered at all. The operator list is the one pdf.js builds for rendering anyway
 * (cached per page and intent), and it decodes the images it paints.
 */
export async function findScan(page: PDFPageProxy): Promise<PageScan | null> {
  const view = page.view as [number, number, number, number];
  const pageArea = Math.abs((view[2] - view[0]) * (view[3] - view[1]));
  const ops = await page.getOperatorList();
  let ctm: Matrix = [1, 0, 0, 1, 0, 0];
  const stack: Matrix[] = [];
  const paints: ImagePaint[] = [];
  let onlyImages = true;
  for (let i = 0; i < ops.fnArray.length; i++) {
    const fn = ops.fnArray[i]!;
    const args = ops.argsArray[i] as unknown[];
    if (fn === OPS.save) stack.push(ctm);
    else if (fn === OPS.restore) ctm = stack.pop() ?? ctm;
    else if (fn === OPS.transform) ctm = multiply(ctm, args as number[]);
    else if ((fn === OPS.clip || fn === OPS.eoClip) && clipHidesNothing(ops, i, ctm, view)) {
      i++; // the clip's path, drawn nowhere
      continue;
    }
    const paint = imagePaint(fn, args, ctm);
    if (paint) paints.push(paint);
    else if (!NEUTRAL_OPS.has(fn) && !(fn === OPS.setGState && isNeutralGState(args))) onlyImages = false;
  }
  let best: { coverage: number; dpiX: number; dpiY: number; paint: ImagePaint } | null = null;
  for (const paint of paints) {
    const { width: w, height: h, ctm: m } = paint;
    const drawnW = Math.hypot(m[0], m[1]);
    const drawnH = Math.hypot(m[2], m[3]);
    if (!w || !h || !drawnW || !drawnH) continue;
    const coverage = (drawnW * drawnH) / pageArea;
    if (!best || coverage > best.coverage) best = { coverage, dpiX: w / (drawnW / 72), dpiY: h / (drawnH / 72), paint };
  }
  if (!best || best.coverage < SCAN_COVERAGE) return null;
  const { paint, dpiX, dpiY } = best;
  const turn = onlyImages && paints.length === 1 && paint.id !== null && Math.abs(dpiX - dpiY) <= 0.01 * dpiX
    ? quarterTurnFillingPage(paint.ctm, view)
    : null;
  return { dpi: Math.min(dpiX, dpiY), soleImage: turn === null ? null : paint.id, soleImageTurn: turn ?? 0, pixels: paint.width * paint.height };
}
