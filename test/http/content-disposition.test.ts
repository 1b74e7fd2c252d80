import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { contentDisposition } from '../../src/http/content-disposition.js';

/** The header must be accepted by Node's own header validation (what failed with ERR_INVALID_CHAR). */
const valid = (v: string) => {
  expect(() => http.validateHeaderValue('content-disposition', v)).not.toThrow();
  expect(v).not.toMatch(/[\r\n]/);
  return v;
};

const fallbackOf = (v: string) => /filename="([^"]*)"/.exec(v)![1]!;
/** The name a browser saves under: filename* when present (decoded), else the fallback. */
const extName = (v: string) => {
  const ext = /filename\*=UTF-8''([^;]*)/.exec(v)?.[1];
  return ext === undefined ? fallbackOf(v) : decodeURIComponent(ext);
};

describe('contentDisposition', () => {
  it('keeps a plain ASCII name as is, without filename*', () => {
    expect(valid(contentDisposition('report.md'))).toBe('attachment; filename="report.md"');
  });

  it('gives CJK names an ASCII fallback and the exact name in filename*', () => {
    const v = valid(contentDisposition('文档.pdf'));
    expect(fallbackOf(v)).toMatch(/^[\x20-\x7e]+\.pdf$/);
    expect(extName(v)).toBe('文档.pdf');
  });

  it('never lets quotes, backslashes or CR/LF break out of the header', () => {
    for (const name of ['a"b.txt', 'a\\b".md', 'evil\r\nSet-Cookie: x=1.txt', 'x";filename=bad.exe', "it's (1)*.md"]) {
      const v = valid(contentDisposition(name));
      const fallback = fallbackOf(v);
      expect(fallback).not.toMatch(/["\\\r\n]/);
      // Exactly one quoted fallback and at most one filename* made of RFC 5987 attr-chars.
      expect(v).toMatch(/^attachment; filename="[^"\\]*"(; filename\*=UTF-8''[A-Za-z0-9!#$&+.^_`|~%-]*)?$/);
      expect(extName(v)).toBe(name.replace(/[\r\n]/g, ''));
    }
  });

  it('shortens very long names but keeps the extension', () => {
    const v = valid(contentDisposition(`${'文'.repeat(2000)}.json`));
    expect(fallbackOf(v).endsWith('.json')).toBe(true);
    expect(extName(v).endsWith('.json')).toBe(true);
    expect(v.length).toBeLessThan(2000);
    const ascii = valid(contentDisposition(`${'a'.repeat(5000)}.txt`));
    expect(fallbackOf(ascii).length).toBeLessThan(200);
  });

  it('survives lone surrogates and names without any letter', () => {
    expect(extName(valid(contentDisposition('\ud800x.md')))).toBe('x.md');
    expect(fallbackOf(valid(contentDisposition('рус.txt')))).toBe('document.txt');
  });
});
