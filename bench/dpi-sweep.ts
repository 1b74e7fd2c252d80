// pages/min and CER of one 12-page scan at four render resolutions (npx tsx bench/dpi-sweep.ts).
import fs from 'node:fs/promises';
import path from 'node:path';
import os from 'node:os';
import { expectedText, writeScanned } from './documents.js';
import { runPagemill } from './pagemill-run.js';
import { spawnServer } from './server-under-test.js';
const root = await fs.mkdtemp(path.join(os.tmpdir(), 'sweep-'));
const file = path.join(root, 's.pdf');
const exp = expectedText(await writeScanned(file, 12, 200, { skewDegrees: 0.7, specksPerPage: 400 }));
for (const dpi of [300, 250, 200, 150]) {
  const s = await spawnServer({ INPUT_DIR: root + '/i' + dpi, OUTPUT_DIR: root + '/o' + dpi, DATA_DIR: root + '/d' + dpi, RENDER_DPI: String(dpi) });
  const r = await runPagemill(s, file, exp);
  console.log(dpi, 'dpi', r.pages_per_minute, 'ppm', (r.cer! * 100).toFixed(2), '% CER');
  s.child.kill('SIGTERM'); await s.exited;
}
await fs.rm(root, { recursive: true, force: true });
