import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareLanguages } from '../../../src/languages/languages.js';
import { chooseOcrEngine, nativeTesseractVersion } from '../../../src/languages/ocr-engine-choice.js';
import { toGreyTiff, toPbm, toTesseractImage, type GreyImage } from '../../../workers/raster/grey-image.js';
import { recognize } from '../../../workers/ocr/ocr-engine.js';
import { recognizeNative } from '../../../workers/ocr/native-ocr.js';
import { scannedPng } from '../../fixtures/pdf-fixtures.js';
import { greyOf } from '../../helpers/grey-of.js';
import { tempDirs } from '../../helpers/temp-dirs.js';

/** CI installs Debian's tesseract-ocr; without the binary only tesseract.js is compared. */
const nativeVersion = await nativeTesseractVersion();

/** The pixels a PBM (P4) holds, back as grey (black 0, white 255). */
function fromPbm(pbm: Buffer): GreyImage {
  const [, w, h] = /^P4\n(\d+) (\d+)\n/.exec(pbm.toString('latin1', 0, 32))!;
  const width = Number(w);
  const height = Number(h);
  const bits = pbm.subarray(pbm.length - ((width + 7) >> 3) * height);
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data[y * width + x] = (bits[y * ((width + 7) >> 3) + (x >> 3)]! >> (7 - (x & 7))) & 1 ? 0 : 255;
  }
  return { data, width, height };
}

/** `img` with every pixel made black or white, as a bilevel (JBIG2, CCITT) scan is read. */
const bilevel = (img: GreyImage): GreyImage => ({ ...img, data: img.data.map((v) => (v < 128 ? 0 : 255)) });

describe('the image handed to tesseract', () => {
  it('packs a black-and-white image into PBM rows padded to whole bytes, losing nothing', () => {
    // 11 pixels wide: each row ends in a part byte, whose spare bits stay clear.
    const img: GreyImage = { width: 11, height: 3, data: Uint8Array.from({ length: 33 }, (_, i) => ((i * 7) % 3 ? 255 : 0)) };
    const pbm = toPbm(img)!;
    expect(pbm.toString('latin1', 0, 8)).toBe('P4\n11 3\n');
    expect(pbm.length).toBe(8 + 2 * 3);
    expect(pbm[8]).toBe(0b10010010); // pixels 0, 3 and 6 of row 0 are black
    expect(pbm[9]! & 0b00011111).toBe(0);
    expect(fromPbm(pbm)).toEqual(img);
  });

  it('hands any image with a shade of grey over as 8-bit grey TIFF', () => {
    const img: GreyImage = { width: 4, height: 2, data: Uint8Array.from([0, 255, 255, 0, 255, 128, 0, 255]) };
    expect(toPbm(img)).toBeNull();
    const tiff = toTesseractImage(img);
    expect(tiff.equals(toGreyTiff(img))).toBe(true);
    expect(tiff.toString('latin1', 0, 4)).toBe('II*\0');
    expect(tiff.subarray(tiff.length - 8)).toEqual(Buffer.from(img.data));
    expect(toTesseractImage(bilevel(img)).toString('latin1', 0, 2)).toBe('P4');
  });
});

describe('both engines read a bilevel page the same from its PBM as from its grey TIFF', () => {
  const temp = tempDirs('pagemill-pnm-');
  let page: GreyImage;
  let languages: Awaited<ReturnType<typeof prepareLanguages>>;
  let nativeDir: string | null;
  beforeAll(async () => {
    page = bilevel(await greyOf(await scannedPng(['Bilevel scans reach tesseract', 'one bit to a pixel, read the same'])));
    const cache = await temp.make();
    languages = await prepareLanguages(cache);
    nativeDir = nativeVersion ? (await chooseOcrEngine('native', languages, cache, nativeVersion)).nativeDir : null;
  });
  afterAll(() => temp.cleanup());

  const words = (p: { text: string }) => p.text.split(/\s+/).filter(Boolean);

  it('tesseract.js', async () => {
    const read = (image: Buffer) => recognize({
      image, dpi: 150, lang: 'eng', langPath: languages.dir, gzip: languages.gzip, recycleAfter: 100, layoutOnly: false, pdf: false,
    });
    const fromTiff = await read(toGreyTiff(page));
    expect(words(fromTiff)).toEqual(['Bilevel', 'scans', 'reach', 'tesseract', 'one', 'bit', 'to', 'a', 'pixel,', 'read', 'the', 'same']);
    expect(await read(toPbm(page)!)).toMatchObject({ text: fromTiff.text, confidence: fromTiff.confidence });
  });

  it.runIf(nativeVersion)('native tesseract', async () => {
    const read = (image: Buffer) => recognizeNative({ image, dpi: 150, lang: 'eng', tessdataDir: nativeDir!, psm: '3', pdf: false });
    const fromTiff = await read(toGreyTiff(page));
    expect(words(fromTiff)).toEqual(['Bilevel', 'scans', 'reach', 'tesseract', 'one', 'bit', 'to', 'a', 'pixel,', 'read', 'the', 'same']);
    expect(await read(toPbm(page)!)).toMatchObject({ text: fromTiff.text, confidence: fromTiff.confidence });
  });
});

