import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.js';
import { languagesFromTessdata, parseLanguage } from '../../src/languages/languages.js';
import { scannedPng } from '../fixtures/pdf-fixtures.js';
import { startTestServer, submitFile, waitForEnd } from '../helpers/test-server.js';

const require = createRequire(import.meta.url);

describe('languages', () => {
  it('parses eng, fra and eng+fra against what is installed', () => {
    expect(parseLanguage(undefined, ['eng', 'fra'])).toBe('eng');
    expect(parseLanguage('eng+fra', ['eng', 'fra'])).toBe('eng+fra');
    expect(() => parseLanguage('deu', ['eng', 'fra'])).toThrow(/installed: eng, fra/);
    expect(() => parseLanguage('eng+eng', ['eng'])).toThrow();
  });

  it('TESSDATA_DIR: OCR with plain .traineddata files from an operator folder', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-tessdata-'));
    try {
      await expect(languagesFromTessdata(dir)).rejects.toThrow(ConfigError);
      const gz = path.join(path.dirname(require.resolve('@tesseract.js-data/eng/package.json')), '4.0.0_best_int', 'eng.traineddata.gz');
      await fs.writeFile(path.join(dir, 'eng.traineddata'), gunzipSync(await fs.readFile(gz)));
      expect(await languagesFromTessdata(dir)).toMatchObject({ installed: ['eng'], gzip: false, hasOsd: false });
      const t = await startTestServer({ TESSDATA_DIR: dir });
      try {
        const { body } = await submitFile(t.app, 'plain.png', await scannedPng(['Plain traineddata files work']));
        expect((await waitForEnd(t.app, body.conversion_id)).status).toBe('completed');
        expect((await t.app.inject({ url: `/conversions/${body.conversion_id}/result?format=txt` })).body).toContain('traineddata');
        expect((await t.app.inject({ url: '/languages' })).json()).toMatchObject({ languages: ['eng'], orientation_detection: false });
      } finally {
        await t.close();
      }
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
