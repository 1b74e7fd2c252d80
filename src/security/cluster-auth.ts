import { createHash, timingSafeEqual } from 'node:crypto';

/** The header worker nodes send on internal routes. */
export function clusterHeaders(secret: string): Record<string, string> {
  return { authorization: `Bearer ${secret}` };
}

/** Compares in constant time (on digests, so lengths do not leak either). */
export function isClusterSecret(header: string | undefined, secret: string): boolean {
  if (!secret || !header?.startsWith('Bearer ')) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(header.slice(7)), digest(secret));
}
