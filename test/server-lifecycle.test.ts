import { afterAll, describe, expect, it } from 'vitest';
import { scannedPdf } from './fixtures/pdf-fixtures.js';
import { errorReplySchema, expectSchema } from './helpers/expect-schema.js';
import { until } from './helpers/poll.js';
import { multipart } from './helpers/test-server.js';
import { spawnServer } from './helpers/server-process.js';
import { tempDirs } from './helpers/temp-dirs.js';

const temp = tempDirs('pagemill-proc-');
afterAll(() => temp.cleanup());
const dirs = async () => ({ ...(await temp.serverDirs()), RENDER_DPI: '150' });

describe('the server process', () => {
  it('refuses to start on a bad setting, naming it', async () => {
    await expect(spawnServer({ ...(await dirs()), NUM_WORKERS: 'lots' })).rejects.toThrow(/NUM_WORKERS/);
  });

  it('on SIGTERM refuses new work with 503, drains for the grace period and exits 0', async () => {
    // 300 dpi pages take over a second each, so the grace period is still running when we knock.
    const server = await spawnServer({ ...(await dirs()), SHUTDOWN_TIMEOUT_S: '2', RENDER_DPI: '300' });
    const pdf = await scannedPdf(Array.from({ length: 8 }, (_, i) => [`Shutdown test page ${i + 1}`]));
    const { payload, headers } = multipart({ name: 'long.pdf', data: pdf });
    const res = await fetch(`${server.url}/convert`, { method: 'POST', body: payload, headers });
    expect(res.status).toBe(200);
    const { conversion_id: id } = (await res.json()) as { conversion_id: string };
    await until(async () => ((await (await fetch(`${server.url}/worker-pool-status`)).json()) as { pages_active: number }).pages_active > 0, 'pages running');
    server.child.kill('SIGTERM');
    // the server says it drains as soon as it has taken the signal; then /convert is refused
    await until(async () => (await fetch(`${server.url}/health`)).status === 503, 'health reporting shutting_down');
    const refused = await fetch(`${server.url}/convert`, { method: 'POST', body: payload, headers });
    expect(refused.status).toBe(503);
    expect(expectSchema(errorReplySchema, await refused.json()).code).toBe('shutting_down');
    // the log line may reach our pipe after the 503 does: wait for it rather than race it
    const drainLine = await until(() => server.logs.find((l) => l.msg === 'shutting down: refusing new work, finishing running pages'), 'the drain log line');
    expect(drainLine).toMatchObject({ grace_s: 2 });
    expect(await server.exited).toBe(0);
    expect(server.logs.some((l) => l.msg === 'shutdown complete')).toBe(true);
    // the unfinished conversion is still on record, to be resumed (not lost)
    expect(server.logs.some((l) => l.conversion_id === id)).toBe(true);
  });
});
