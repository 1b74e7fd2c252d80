import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallTypeDpi } from '../../../workers/raster/readable-size.js';
import { smallTypePng } from '../../fixtures/small-type-image.js';
import { greyOf } from '../../helpers/grey-of.js';
import { startTestServer, submitFile, waitForEnd, type TestServer } from '../../helpers/test-server.js';
import { wordScore, words } from '../../../bench/accuracy/word-f1.js';

describe('smallTypeDpi', () => {
  it('suggests the resolution of an image whose type is small at the nominal dpi', async () => {
    const dpi = smallTypeDpi(await greyOf(smallTypePng(9, 12).png), 300);
    expect(dpi).toBeGreaterThanOrEqual(70);
    expect(dpi).toBeLessThanOrEqual(130);
  });

  it('leaves type of body size alone', async () => {
    expect(smallTypeDpi(await greyOf(smallTypePng(20, 12).png), 300)).toBeNull();
  });
});

/** The default engine (native when installed) and resolution (300 dpi), on the upload path users take. */
describe('an image of small type, uploaded', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ RENDER_DPI: 300 });
  });
  afterAll(async () => t?.close());

  // Word F1 0.15 told 300 dpi (most of the type taken for specks), 0.79 with the second reading
  // (the rest are misread letters of 5-px glyphs, which no resolution setting brings back).
  it('is read whole, not as specks', async () => {
    const { png, words: truth } = smallTypePng(9, 20);
    const { body } = await submitFile(t.app, 'clipping.png', png, { prompt_mode: 'prompt_ocr' });
    expect((await waitForEnd(t.app, body.conversion_id)).status).toBe('completed');
    const page = (await t.app.inject({ url: `/conversions/${body.conversion_id}/result?format=json` })).json().pages[0] as { text: string };
    expect(wordScore(words(page.text), truth).f1).toBeGreaterThan(0.7);
  });
});
