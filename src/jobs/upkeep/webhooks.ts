import http from 'node:http';
import https from 'node:https';
import { createHmac, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import { guardedLookup } from '../../intake/url-guard.js';
import { redactSecrets } from '../../observability/log-redaction.js';
import { TERMINAL_STATUSES } from '../../schemas/conversion.js';
import type { ConversionService } from '../workflow/conversion-service.js';
import type { ConversionStore } from '../contracts/conversion-store.js';

const ATTEMPT_TIMEOUT_MS = 10_000;
const EVENTS = { completed: 'conversion.completed', error: 'conversion.failed', cancelled: 'conversion.cancelled' } as const;

export function sign(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Tells a conversion's `callback_url` how it ended: a JSON POST with an HMAC-SHA256 signature of
 * the body (X-Pagemill-Signature, when WEBHOOK_SECRET is set), retried with exponential backoff
 * on network errors, 429 and 5xx. The delivery state is in the store, so a restart resumes
 * deliveries that had not succeeded yet.
 */
export class WebhookSender {
  private readonly stopped = new AbortController();
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly config: Config,
    private readonly store: ConversionStore,
    private readonly service: ConversionService,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.unsubscribe = this.service.events.subscribeAll((m) => {
      if (TERMINAL_STATUSES.includes(m.status)) this.deliverLogged(m.conversion_id);
    });
    for (const id of this.store.pendingWebhooks()) this.deliverLogged(id);
  }

  /** Delivery runs detached; a failure of the store under it (a full disk) is logged, never unhandled. */
  private deliverLogged(id: string): void {
    this.deliver(id).catch((err: unknown) => this.log.error({ err, conversion_id: id }, 'webhook delivery stopped'));
  }

  stop(): void {
    this.unsubscribe?.();
    this.stopped.abort();
  }

  async deliver(id: string): Promise<void> {
    const row = this.store.get(id);
    if (!row?.callback_url || !TERMINAL_STATUSES.includes(row.status) || row.webhook_status === 'delivered') return;
    const log = this.log.child({ conversion_id: id, webhook: redactSecrets(row.callback_url) });
    const event = EVENTS[row.status as keyof typeof EVENTS];
    const body = JSON.stringify({ event, conversion: this.service.queries.get(id), timestamp: new Date().toISOString() });
    const delivery = randomUUID();
    for (let attempt = row.webhook_attempts + 1; attempt <= this.config.WEBHOOK_MAX_ATTEMPTS; attempt++) {
      if (this.stopped.signal.aborted) return;
      this.store.setWebhookState(id, 'pending', attempt);
      const outcome = await this.post(row.callback_url, body, { event, delivery }).catch((err: Error) => ({ status: 0, error: err.message }));
      if (outcome.status >= 200 && outcome.status < 300) {
        this.store.setWebhookState(id, 'delivered', attempt);
        log.info({ attempt, status: outcome.status }, 'webhook delivered');
        return;
      }
      const retryable = outcome.status === 0 || outcome.status === 429 || outcome.status >= 500;
      log.warn({ attempt, status: outcome.status, error: 'error' in outcome ? outcome.error : undefined, retryable }, 'webhook delivery failed');
      if (!retryable) break;
      const wait = this.config.WEBHOOK_RETRY_BASE_MS * 2 ** (attempt - 1);
      if (attempt < this.config.WEBHOOK_MAX_ATTEMPTS) await sleep(wait, this.stopped.signal);
    }
    if (!this.stopped.signal.aborted) {
      this.store.setWebhookState(id, 'failed', this.config.WEBHOOK_MAX_ATTEMPTS);
      log.error('webhook given up');
    }
  }

  private post(url: string, body: string, ids: { event: string; delivery: string }): Promise<{ status: number }> {
    const headers: Record<string, string> = {
      'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'pagemill-webhook',
      'x-pagemill-event': ids.event, 'x-pagemill-delivery': ids.delivery,
    };
    if (this.config.WEBHOOK_SECRET) headers['x-pagemill-signature'] = sign(body, this.config.WEBHOOK_SECRET);
    const target = new URL(url);
    const request = target.protocol === 'https:' ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const req = request(target, {
        method: 'POST', headers, timeout: ATTEMPT_TIMEOUT_MS, lookup: guardedLookup(this.config.WEBHOOK_ALLOW_PRIVATE), signal: this.stopped.signal,
      }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', reject);
      req.end(body);
    });
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}
