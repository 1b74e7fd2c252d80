import { clusterHeaders } from '../../../security/cluster-auth.js';

/** How long one call to the API node may take before the node counts it as unreachable. */
const CALL_TIMEOUT_MS = 15_000;

/**
 * Why a call to the API node did not work. `gone`: nobody waits for the page (done, cancelled, or
 * sent by an earlier life of the API node) — the page's business, nothing to retry. `refused`: the
 * API node does not take this node's secret. `unreachable`: no answer, a dropped connection or a
 * 5xx. `rejected`: the API node refused the body (a 4xx: another release, a bug). `aborted`: the
 * caller's signal (a cancel or this node's shutdown) stopped it.
 */
export type LinkProblem = 'gone' | 'refused' | 'unreachable' | 'rejected' | 'aborted';

export class ApiLinkError extends Error {
  constructor(readonly problem: LinkProblem, message: string) {
    super(message);
  }
}

/**
 * A worker node's calls to the API node's internal routes: each bounded in time, stopped by the
 * caller's signal, and failing with what it means for the node (ApiLinkError), never with a raw
 * fetch error. Redis carries only references; tasks, documents and results go this way.
 */
export class ApiLink {
  readonly base: string;
  private readonly auth: Record<string, string>;

  constructor(apiUrl: string, secret: string, private readonly timeoutMs = CALL_TIMEOUT_MS) {
    this.base = apiUrl.replace(/\/+$/, '');
    this.auth = clusterHeaders(secret);
  }

  /** A response with a 2xx status; for bodies read afterwards, `signal` still bounds the read. */
  async call(route: string, init: RequestInit & { signal?: AbortSignal }, timeoutMs = this.timeoutMs): Promise<Response> {
    const signals = [AbortSignal.timeout(timeoutMs), ...(init.signal ? [init.signal] : [])];
    let res: Response;
    try {
      res = await fetch(`${this.base}${route}`, { ...init, headers: { ...this.auth, ...init.headers }, signal: AbortSignal.any(signals) });
    } catch (err) {
      throw this.failure(err, init.signal, timeoutMs);
    }
    if (res.ok) return res;
    await res.body?.cancel().catch(() => undefined);
    if (res.status === 404) throw new ApiLinkError('gone', `${route}: nobody waits for this page any more`);
    if (res.status === 401) throw new ApiLinkError('refused', 'the API node refuses this node\'s CLUSTER_SECRET: set the same value on every node');
    if (res.status >= 500 || res.status === 429) throw new ApiLinkError('unreachable', `${route}: HTTP ${res.status}`);
    throw new ApiLinkError('rejected', `${route}: HTTP ${res.status}`);
  }

  /** What a failed fetch or body read means: the caller's abort, or an API node out of reach. */
  failure(err: unknown, signal?: AbortSignal, timeoutMs = this.timeoutMs): ApiLinkError {
    if (err instanceof ApiLinkError) return err;
    if (signal?.aborted) return new ApiLinkError('aborted', 'stopped');
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    const what = (err as Error).name === 'TimeoutError' ? `no answer within ${Math.round(timeoutMs / 1000)} s` : (cause ?? (err as Error).message);
    return new ApiLinkError('unreachable', `the API node at ${this.base} is unreachable (${what})`);
  }
}
