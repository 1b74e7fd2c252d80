import type { Redis } from 'ioredis';
import { ReplyError } from 'ioredis';

/**
 * Redis' maxmemory-policy, read with CONFIG GET or, where that command is forbidden (ACLs, managed
 * Redis services), from INFO memory. Null when Redis answers but lets neither be read: a refusal
 * is an answer, so Redis is reachable. Rejects only when Redis cannot be reached.
 */
export async function evictionPolicy(redis: Redis): Promise<string | null> {
  try {
    const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as [string, string | undefined];
    if (policy) return policy;
  } catch (err) {
    if (!(err instanceof ReplyError)) throw err;
  }
  try {
    const info = await redis.info('memory');
    return /^maxmemory_policy:(\S+)/m.exec(info)?.[1] ?? null;
  } catch (err) {
    if (err instanceof ReplyError) return null;
    throw err;
  }
}
