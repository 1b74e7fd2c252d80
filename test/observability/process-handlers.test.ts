import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Runs a tiny program that installs the handlers, then lets an error escape inside a conversion. */
function escape(kind: 'stream-error' | 'rejection') {
  const program = `
    import { createWriteStream } from 'node:fs';
    import pino from 'pino';
    import { installCrashHandlers } from './src/observability/process-handlers.ts';
    import { inConversion } from './src/observability/conversion-context.ts';
    installCrashHandlers(pino());
    inConversion('conv-42', () => {
      ${kind === 'stream-error' ? `createWriteStream('/nonexistent-dir/x');` : `void Promise.reject(new Error('nobody catches me'));`}
    });
    setTimeout(() => {}, 5000);
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  const lines = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { status: r.status, lines };
}

describe('process-level handlers', () => {
  it.each(['stream-error', 'rejection'] as const)('an escaped %s is logged with its conversion id, then the process exits 1', (kind) => {
    const { status, lines } = escape(kind);
    expect(status).toBe(1);
    expect(lines).toContainEqual(expect.objectContaining({
      level: 60, msg: 'escaped error: exiting', conversion_id: 'conv-42', origin: kind === 'rejection' ? 'unhandledRejection' : 'uncaughtException',
    }));
  });
});
