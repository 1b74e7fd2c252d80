/**
 * The words of an hOCR file (the set's truth and the published results are hOCR): the text of every
 * `ocrx_word` element, inner tags removed and entities decoded. A regex reader is enough: these files
 * are machine-written, one word element per word, and words never nest.
 */
const WORD = /<span\b[^>]*class=["']ocrx_word["'][^>]*>([\s\S]*?)<\/span>/g;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decode(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

/** The page's text as the hOCR's words joined by spaces (order does not matter to word F1). */
export function hocrText(hocr: string): string {
  const out: string[] = [];
  for (const m of hocr.matchAll(WORD)) out.push(decode(m[1]!.replace(/<[^>]*>/g, '')).trim());
  return out.filter(Boolean).join(' ');
}
