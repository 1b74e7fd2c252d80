import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/security/api-keys.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { fakeBackend } from '../fakes/fake-backend.js';

const GOOD = 'good-key-0123456789abcdef';

describe('wrong API keys are rate-limited per client address', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ API_KEYS: `good:${GOOD}`, AUTH_FAILURES_PER_MINUTE: 3 }, { fake: fakeBackend() });
  });
  afterAll(async () => t?.close());

  const attempt = (key: string, remoteAddress: string) => t.app.inject({ url: '/conversions', headers: { 'x-api-key': key }, remoteAddress });

  it('answers 429 with Retry-After after N wrong keys, for every key from that address, and not for others', async () => {
    for (let i = 0; i < 3; i++) expect((await attempt(`wrong-key-${i}-0123456789`, '10.9.9.9')).statusCode).toBe(401);
    const blocked = await attempt('wrong-key-x-0123456789', '10.9.9.9');
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().code).toBe('auth_rate_limited');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // Even the right key: otherwise guessing would go on, only with a different answer for a hit.
    expect((await attempt(GOOD, '10.9.9.9')).statusCode).toBe(429);
    expect((await attempt(GOOD, '10.8.8.8')).statusCode).toBe(200);
    expect((await attempt('wrong-key-y-0123456789', '10.8.8.8')).statusCode).toBe(401);
  });

  it('lifts the block when the minute is over (injected clock)', () => {
    const limiter = new RateLimiter(2);
    limiter.take('ip', 0);
    limiter.take('ip', 1);
    expect(limiter.blocked('ip', 2)).toBeGreaterThan(0);
    expect(limiter.blocked('ip', 60_001)).toBe(0);
  });
});
