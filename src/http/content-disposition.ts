/**
 * RFC 6266 `Content-Disposition` with an RFC 5987 `filename*` for names that are not plain ASCII.
 * Node refuses header values with characters above U+00FF (ERR_INVALID_CHAR), so a client's
 * file name must never go into a header as it is.
 */
const MAX_STEM_CHARS = 150;

/** Splits "name.ext", keeping a short, plain extension apart so truncation never cuts it. */
function splitExtension(name: string): [string, string] {
  const m = /^(.*?)(\.[A-Za-z0-9]{1,10})?$/s.exec(name)!;
  return [m[1] ?? '', m[2] ?? ''];
}

/** Visible ASCII only: no quotes, backslashes, separators, percent signs or control characters. */
function asciiFallback(stem: string, ext: string): string {
  const plain = stem
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]|["\\/;%]/g, '_')
    .replace(/_+/g, '_')
    .trim()
    .slice(0, MAX_STEM_CHARS);
  return `${/[A-Za-z0-9]/.test(plain) ? plain : 'document'}${ext}`;
}

/** RFC 5987 attr-chars stay, everything else is percent-encoded UTF-8. */
const encode5987 = (s: string) =>
  encodeURIComponent(s).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export function contentDisposition(filename: string, type: 'attachment' | 'inline' = 'attachment'): string {
  // Control characters and lone surrogates (encodeURIComponent throws on those) are dropped.
  const clean = filename.replace(/[\x00-\x1f\x7f]|\p{Cs}/gu, '');
  const [rawStem, ext] = splitExtension(clean);
  const stem = [...rawStem].slice(0, MAX_STEM_CHARS).join('');
  const fallback = asciiFallback(stem, ext);
  const value = `${type}; filename="${fallback}"`;
  return fallback === clean ? value : `${value}; filename*=UTF-8''${encode5987(stem + ext)}`;
}
