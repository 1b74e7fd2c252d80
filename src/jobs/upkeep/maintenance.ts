import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { ConversionService } from '../workflow/conversion-service.js';
import type { ConversionStore } from '../contracts/conversion-store.js';

/**
 * Periodic upkeep: the watchdog (conversion budget, stalled pages) and retention (finished
 * conversions older than RESULT_TTL_HOURS are removed: record, outputs and uploaded original).
 */
export class Maintenance {
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    private readonly config: Config,
    private readonly service: ConversionService,
    private readonly store: ConversionStore,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.config.WATCHDOG_INTERVAL_S * 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      // While the disk is full or read-only every step would fail again: wait for the probe.
      if (!(await this.service.operations.probeStorage())) return;
      this.service.operations.watchdog();
      await this.sweep();
    } catch (err) {
      if (this.service.storage.report(err, 'maintenance')) return;
      this.log.error({ err }, 'maintenance failed');
    } finally {
      this.running = false;
    }
  }

  /** Removes expired conversions; returns how many. */
  async sweep(now = Date.now()): Promise<number> {
    if (this.config.RESULT_TTL_HOURS === 0) return 0;
    const before = new Date(now - this.config.RESULT_TTL_HOURS * 3_600_000).toISOString();
    let removed = 0;
    for (;;) {
      let removedNow = 0;
      for (const row of this.store.endedBefore(before)) {
        try {
          await this.service.operations.remove(row.id);
          removedNow++;
        } catch (err) {
          this.log.error({ err, conversion_id: row.id }, 'retention: could not remove conversion');
        }
      }
      removed += removedNow;
      if (removedNow === 0) break;
    }
    if (removed) this.log.info({ removed, ttl_hours: this.config.RESULT_TTL_HOURS }, 'retention: removed expired conversions');
    return removed;
  }
}
