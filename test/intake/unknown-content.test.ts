import { describe, expect, it } from 'vitest';
import { sniffBytes } from '../../src/intake/input-files.js';
import { describeContent } from '../../src/intake/unknown-content.js';

describe('sniffBytes: PDFs pdf.js can open', () => {
  it('finds a header after more than 1 KB of junk', () => {
    expect(sniffBytes(Buffer.concat([Buffer.alloc(5000, 0x41), Buffer.from('%PDF-1.4\n')]))?.kind).toBe('pdf');
  });
  it('takes a trailer at the end as a PDF when there is no header', () => {
    const tail = Buffer.from('xref\n0 1\ntrailer\n<< /Size 1 >>\nstartxref\n9\n%%EOF\n');
    expect(sniffBytes(Buffer.from('1 0 obj\n<< >>\nendobj\n'), tail)?.kind).toBe('pdf');
  });
  it('still refuses what has neither', () => {
    expect(sniffBytes(Buffer.from('<html>no</html>'), Buffer.from('<html>no</html>'))).toBeNull();
  });
});

describe('describeContent: what a refused file was', () => {
  it('names common mistakes', () => {
    expect(describeContent(Buffer.from('GIF89a\x01\x00', 'latin1'))).toBe('a GIF image');
    expect(describeContent(Buffer.from('PK\x03\x04rest', 'latin1'))).toMatch(/^a ZIP archive/);
    expect(describeContent(Buffer.from('<!DOCTYPE html><html>', 'latin1'))).toBe('an HTML page');
    expect(describeContent(Buffer.from('Hello there,\nthis is a letter.'))).toBe('text starting "Hello there, this is a l"');
    expect(describeContent(Buffer.from([1, 2, 3, 0xfe, 0xff, 0, 9, 200, 7]))).toBe('unrecognised content (its first bytes: 01 02 03 fe ff 00 09 c8)');
  });
});
