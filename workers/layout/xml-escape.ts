const NEEDS_ESCAPING = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff&<>"']/;

/** Text and attribute values for XML/XHTML; also drops characters XML 1.0 forbids. */
export function xmlEscape(s: string): string {
  // Most words need nothing: one test instead of six replacements (hOCR and ALTO escape every word).
  if (!NEEDS_ESCAPING.test(s)) return s;
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}
