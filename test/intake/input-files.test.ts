import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { resolveNamedInput, safeStem, sniffBytes } from '../../src/intake/input-files.js';

const codeOf = async (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof AppError ? e.code : String(e)));

describe('sniffBytes', () => {
  it('reads the type from the content, not the name', () => {
    expect(sniffBytes(Buffer.from('%PDF-1.7\n'))?.kind).toBe('pdf');
    expect(sniffBytes(Buffer.from('junk before %PDF-1.4'))?.kind).toBe('pdf');
    expect(sniffBytes(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]))?.ext).toBe('.png');
    expect(sniffBytes(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))?.ext).toBe('.jpg');
    expect(sniffBytes(Buffer.from('II*\0rest'))?.ext).toBe('.tif');
    expect(sniffBytes(Buffer.from('RIFF\0\0\0\0WEBPVP8 '))?.ext).toBe('.webp');
    expect(sniffBytes(Buffer.from('<html><body>not a pdf</body></html>'))).toBeNull();
  });
});

describe('safeStem', () => {
  it('makes a name safe as a folder', () => {
    expect(safeStem('My Scan (1).PDF')).toBe('My_Scan_1');
    expect(safeStem('../../etc/passwd')).toBe('passwd');
    expect(safeStem('.pdf')).toBe('document');
    expect(safeStem('résumé.pdf')).toBe('résumé');
  });

  it('limits the stem to 100 UTF-8 bytes, cut between characters', () => {
    expect(safeStem(`${'文'.repeat(80)}.pdf`)).toBe('文'.repeat(33)); // 99 bytes; a 34th would make 102
    expect(Buffer.byteLength(safeStem(`${'a'.repeat(300)}.pdf`))).toBe(100);
    const wide = safeStem(`${'𠀀'.repeat(30)}.pdf`); // a letter of 4 bytes and 2 UTF-16 units
    expect(wide).toBe('𠀀'.repeat(25));
    expect(Buffer.from(wide, 'utf8').toString('utf8')).toBe(wide); // no half surrogate pair
    expect(safeStem(`${'a'.repeat(99)}_b.pdf`)).toBe('a'.repeat(99)); // no trailing "_" left by the cut
  });
});

describe('resolveNamedInput', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-input-'));
  const input = path.join(root, 'input');
  fs.mkdirSync(input);
  fs.writeFileSync(path.join(input, 'a.pdf'), '%PDF-1.4');
  fs.writeFileSync(path.join(root, 'secret.pdf'), '%PDF-1.4');
  fs.symlinkSync('/etc', path.join(input, 'etc'));
  fs.symlinkSync(path.join(root, 'secret.pdf'), path.join(input, 'leak.pdf'));
  fs.mkdirSync(path.join(input, 'folder'));
  execFileSync('mkfifo', [path.join(input, 'pipe')]);

  it('finds a plain file inside the folder', async () => {
    expect(await resolveNamedInput(input, 'a.pdf')).toBe(fs.realpathSync(path.join(input, 'a.pdf')));
  });

  it('refuses empty names, traversal, symlinks out, folders and FIFOs', async () => {
    expect(await codeOf(resolveNamedInput(input, ''))).toBe('empty_filename');
    expect(await codeOf(resolveNamedInput(input, '../secret.pdf'))).toBe('invalid_filename');
    expect(await codeOf(resolveNamedInput(input, 'etc/passwd'))).toBe('invalid_filename');
    expect(await codeOf(resolveNamedInput(input, '..\\secret.pdf'))).toBe('invalid_filename');
    expect(await codeOf(resolveNamedInput(input, 'leak.pdf'))).toBe('invalid_filename');
    expect(await codeOf(resolveNamedInput(input, 'folder'))).toBe('invalid_filename');
    expect(await codeOf(resolveNamedInput(input, 'pipe'))).toBe('invalid_filename');
    expect(await codeOf(resolveNamedInput(input, 'missing.pdf'))).toBe('file_not_found');
  });
});
