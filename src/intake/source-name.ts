/**
 * The display name of a document fetched by URL: what the server calls it (Content-Disposition,
 * RFC 6266), else the last segment of the URL it was finally fetched from, else its host. The
 * name is shown and turned into an output stem; it is made safe there (displayName, safeStem) as an
 * upload's name is, and the type still comes from the bytes.
 */
export function sourceName(contentDisposition: string | undefined, finalUrl: URL): string {
  return fromContentDisposition(contentDisposition ?? '') || fromPath(finalUrl.pathname) || finalUrl.hostname || 'download';
}

/** `filename*=UTF-8''na%C3%AFve.pdf` (preferred, RFC 5987) or `filename="report.pdf"` / `filename=report.pdf`. */
export function fromContentDisposition(header: string): string {
  const extended = /(?:^|;)\s*filename\*\s*=\s*([\w!#$&+.^`|~-]+)'[\w-]*'([^;\s]+)/i.exec(header);
  if (extended) {
    const decoded = decode(extended[2]!);
    // RFC 8187 allows only UTF-8 and ISO-8859-1; anything else is read as UTF-8 too.
    if (decoded) return decoded;
  }
  const quoted = /(?:^|;)\s*filename\s*=\s*"((?:[^"\\]|\\.)*)"/i.exec(header);
  if (quoted) return quoted[1]!.replace(/\\(.)/g, '$1').trim();
  const token = /(?:^|;)\s*filename\s*=\s*([^;\s"]+)/i.exec(header);
  return token ? token[1]!.trim() : '';
}

function fromPath(pathname: string): string {
  const last = pathname.split('/').filter(Boolean).pop() ?? '';
  return decode(last);
}

/** Percent-decoding that never throws: a malformed escape keeps the text as it came. */
function decode(text: string): string {
  try {
    return decodeURIComponent(text).trim();
  } catch {
    return text.trim();
  }
}
