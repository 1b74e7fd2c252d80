import type { BBox, PageResult } from '../schemas/page-result.js';
import { xmlEscape } from '../../workers/layout/xml-escape.js';

/** ALTO v4 XML, measured in pixels: Page → PrintSpace → TextBlock → TextLine → String (WC 0–1) / SP. */
const pos = (b: BBox) => {
  const x1 = Math.round(b[0]);
  const y1 = Math.round(b[1]);
  const x2 = Math.round(b[2]);
  const y2 = Math.round(b[3]);
  return `HPOS="${x1}" VPOS="${y1}" WIDTH="${Math.max(0, x2 - x1)}" HEIGHT="${Math.max(0, y2 - y1)}"`;
};
const wc = (confidence: number) => (Math.min(100, Math.max(0, confidence)) / 100).toFixed(2);

export function altoHeader(fileName: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<alto xmlns="http://www.loc.gov/standards/alto/ns-v4#" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.loc.gov/standards/alto/ns-v4# http://www.loc.gov/alto/v4/alto-4-2.xsd">
<Description>
<MeasurementUnit>pixel</MeasurementUnit>
<sourceImageInformation><fileName>${xmlEscape(fileName)}</fileName></sourceImageInformation>
<OCRProcessing ID="OCR_0"><ocrProcessingStep><processingSoftware><softwareName>pagemill</softwareName></processingSoftware></ocrProcessingStep></OCRProcessing>
</Description>
<Layout>
`;
}

export function altoPage(page: PageResult): string {
  const n = page.page_no;
  const out = [
    `<Page ID="page_${n}" PHYSICAL_IMG_NR="${n}" WIDTH="${page.width}" HEIGHT="${page.height}">`,
    `<PrintSpace HPOS="0" VPOS="0" WIDTH="${page.width}" HEIGHT="${page.height}">`,
  ];
  page.blocks.forEach((block, b) => {
    out.push(`<TextBlock ID="block_${n}_${b + 1}" ${pos(block.bbox)}>`);
    block.lines.forEach((line, l) => {
      const strings = line.words
        .map((w, i) => `<String ID="string_${n}_${b + 1}_${l + 1}_${i + 1}" ${pos(w.bbox)} WC="${wc(w.confidence)}" CONTENT="${xmlEscape(w.text)}"/>`)
        .join('<SP/>');
      out.push(`<TextLine ID="line_${n}_${b + 1}_${l + 1}" ${pos(line.bbox)}>${strings}</TextLine>`);
    });
    out.push('</TextBlock>');
  });
  out.push('</PrintSpace>', '</Page>');
  return `${out.join('\n')}\n`;
}

export function altoFailedPage(pageNo: number): string {
  return `<Page ID="page_${pageNo}" PHYSICAL_IMG_NR="${pageNo}" WIDTH="0" HEIGHT="0"/>\n`;
}

export const altoFooter = () => '</Layout>\n</alto>\n';
