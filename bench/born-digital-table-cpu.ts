/**
 * CPU a born-digital page's table path costs, in one process (steadier than pages/s on a busy
 * machine): per page of a PDF, getTextContent and layout (what every text page pays) against the
 * table gate, the operator list and the table finder (what pdf-page.ts's fromTextLayer adds).
 * The first round warms up and is not counted.
 * Usage: npx tsx bench/born-digital-table-cpu.ts [file.pdf] [rounds]   (default: tracemonkey.pdf, 6)
 */
import path from 'node:path';
import { openPdf } from '../workers/pdf/pdf-documents.js';
import { blocksFromTextItems, categorize, type TextItemLike } from '../workers/layout/page-layout.js';
import { mayHoldTable, typeSizeOf } from '../workers/layout/tables/table-candidates.js';
import { vectorRulings } from '../workers/pdf/vector-rulings.js';
import { tableBlocks } from '../workers/layout/tables/table-blocks.js';
const doc = await openPdf(process.argv[2] ?? path.resolve(import.meta.dirname, '../../shared/corpus/pdf.js/tracemonkey.pdf'), { maxImagePixels: 200e6 });
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
let base = 0, gate = 0, ops = 0, tab = 0, pages = 0;
const reps = Number(process.argv[3] ?? 6);
for (let rep = 0; rep < reps; rep++) for (let p = 1; p <= doc.numPages; p++) {
  const page = await doc.getPage(p);
  const vp = page.getViewport({ scale: 300 / 72 });
  let t = cpu();
  const items = (await page.getTextContent()).items.filter((i) => 'str' in i) as TextItemLike[];
  const blocks = categorize(blocksFromTextItems(items, vp.transform, 300 / 72), vp.height, 'text-layer');
  const a = cpu() - t; t = cpu();
  const ts = typeSizeOf(blocks); const may = mayHoldTable(blocks, ts);
  const b = cpu() - t; let c = 0, d = 0;
  if (may) {
    t = cpu(); const r = await vectorRulings(page, vp.transform); c = cpu() - t;
    t = cpu(); tableBlocks(blocks, r ?? [], { width: vp.width, height: vp.height, typeSize: ts }); d = cpu() - t;
  }
  page.cleanup();
  if (rep === 0) continue; // warm-up round
  base += a; gate += b; ops += c; tab += d; pages++;
}
console.log(`CPU ms/page over ${pages} pages: text+layout ${(base / pages).toFixed(2)}, gate ${(gate / pages).toFixed(3)}, operator list ${(ops / pages).toFixed(2)}, tables ${(tab / pages).toFixed(2)}; added ${(100 * (gate + ops + tab) / base).toFixed(1)} %`);
