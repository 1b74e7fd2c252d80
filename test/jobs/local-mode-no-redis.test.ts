import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');

/** Which Redis client modules a fresh process has loaded after `mode` (see the probe). */
async function probe(mode: 'local' | 'cluster'): Promise<string[]> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'test/helpers/redis-module-probe.ts', mode], { cwd: ROOT, timeout: 90_000 });
  return (JSON.parse(stdout.trim().split('\n').pop()!) as { loaded: string[] }).loaded;
}

describe('local mode loads no Redis code', () => {
  it('a local runtime and app load neither bullmq nor ioredis; importing the cluster backend does (the probe sees it)', async () => {
    expect(await probe('local')).toEqual([]);
    expect((await probe('cluster')).some((p) => p.includes('ioredis'))).toBe(true);
  });
});
