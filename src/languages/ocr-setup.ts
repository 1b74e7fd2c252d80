import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { languagesFromTessdata, prepareLanguages, type Languages } from './languages.js';
import { chooseOcrEngine, nativeTesseractVersion } from './ocr-engine-choice.js';

/** The installed OCR languages and the engine that reads pages, decided once at start (API and worker nodes alike). */
export async function prepareOcr(config: Config, log: Logger): Promise<Languages> {
  const languages = config.TESSDATA_DIR ? await languagesFromTessdata(config.TESSDATA_DIR) : await prepareLanguages(path.join(config.DATA_DIR, 'cache'));
  const version = config.OCR_ENGINE === 'wasm' ? null : await nativeTesseractVersion();
  languages.ocr = await chooseOcrEngine(config.OCR_ENGINE, languages, path.join(config.DATA_DIR, 'cache'), version);
  log.info({ languages: languages.installed, orientation_detection: languages.hasOsd }, 'OCR languages');
  log.info({ engine: languages.ocr.engine, setting: config.OCR_ENGINE, native: version, tessdata: languages.ocr.nativeDir ?? languages.dir }, 'OCR engine');
  return languages;
}
