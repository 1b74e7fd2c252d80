import type { BBox, PageResult } from '../schemas/page-result.js';
import { xmlEscape } from '../../workers/layout/xml-escape.js';

/** hOCR 1.2 (XHTML): one `ocr_page` per page; blocks → paragraphs → lines → words with bbox and x_wconf. */
const box = (b: BBox) => `bbox ${Math.round(b[0])} ${Math.round(b[1])} ${Math.round(b[2])} ${Math.round(b[3])}`;

export function hocrHeader(title: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
<head>
<title>${xmlEscape(title)}</title>
<meta http-equiv="Content-Type" content="text/html;charset=utf-8"/>
<meta name="ocr-system" content="pagemill"/>
<meta name="ocr-capabilities" content="ocr_page ocr_carea ocr_par ocr_line ocrx_word ocrp_wconf"/>
</head>
<body>
`;
}

export function hocrPage(page: PageResult): string {
  const n = page.page_no;
  const out: string[] = [
    `<div class="ocr_page" id="page_${n}" title="${box([0, 0, page.width, page.height])}; ppageno ${n - 1}; scan_res ${Math.round(page.dpi)} ${Math.round(page.dpi)}">`,
  ];
  page.blocks.forEach((block, b) => {
    const id = `${n}_${b + 1}`;
    out.push(`<div class="ocr_carea" id="block_${id}" title="${box(block.bbox)}">`);
    out.push(`<p class="ocr_par" id="par_${id}" title="${box(block.bbox)}">`);
    block.lines.forEach((line, l) => {
      const words = line.words
        .map((w, i) => `<span class="ocrx_word" id="word_${id}_${l + 1}_${i + 1}" title="${box(w.bbox)}; x_wconf ${Math.round(w.confidence)}">${xmlEscape(w.text)}</span>`)
        .join(' ');
      out.push(`<span class="ocr_line" id="line_${id}_${l + 1}" title="${box(line.bbox)}">${words}</span>`);
    });
    out.push('</p>', '</div>');
  });
  out.push('</div>');
  return `${out.join('\n')}\n`;
}

/** A page that failed still gets its ocr_page, empty, so page numbering stays aligned. */
export function hocrFailedPage(pageNo: number): string {
  return `<div class="ocr_page" id="page_${pageNo}" title="ppageno ${pageNo - 1}"></div>\n`;
}

export const hocrFooter = () => '</body>\n</html>\n';
