import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import { AppError } from '../../errors.js';
import type { ConversionRecord } from '../../schemas/conversion.js';
import { TERMINAL_STATUSES } from '../../schemas/conversion.js';
import type { BlobStore } from '../contracts/blob-store.js';
import type { ConversionStore } from '../contracts/conversion-store.js';
import type { OnDemandDocuments } from '../documents/on-demand-documents.js';
import type { ConversionQueries } from './conversion-queries.js';
import type { ConversionWorkflow } from './conversion-workflow.js';
import type { StorageHealth } from './storage-health.js';

/** Acting on conversions and on the service: cancel, delete, resume after a restart, the periodic checks, shutdown. */
export class ConversionOperations {
  private open = true;

  constructor(
    private readonly config: Config,
    private readonly store: ConversionStore,
    private readonly blobs: BlobStore,
    private readonly workflow: ConversionWorkflow,
    private readonly documents: OnDemandDocuments,
    private readonly storage: StorageHealth,
    private readonly queries: ConversionQueries,
    private readonly log: Logger,
  ) {}

  /** False once a shutdown began: new work is refused. */
  get isAccepting(): boolean {
    return this.open;
  }

  cancel(id: string, owner?: string | null): ConversionRecord {
    const row = this.queries.row(id, owner);
    if (!this.workflow.cancel(id) && row.status !== 'cancelled') {
      throw new AppError('invalid_state', `The conversion already ended with status "${row.status}"; only pending or processing conversions can be cancelled.`);
    }
    return this.queries.get(id);
  }

  async remove(id: string, owner?: string | null): Promise<void> {
    const row = this.queries.row(id, owner);
    if (!TERMINAL_STATUSES.includes(row.status)) this.cancel(id);
    await this.documents.whileRemoving(row, async () => {
      await this.blobs.remove(row);
      this.store.delete(id);
    });
    this.log.info({ conversion_id: id }, 'conversion deleted');
  }

  /** Picks up what a previous process left unfinished (see ConversionWorkflow.resume). */
  resume(): Promise<number> {
    return this.workflow.resume();
  }

  /** Periodic checks: conversion budget, stalled pages (see ConversionWorkflow.watchdog). */
  watchdog(): void {
    this.workflow.watchdog();
  }

  /** Refuses new work, then lets running pages finish for up to `graceMs`. */
  async shutdown(graceMs: number): Promise<void> {
    this.open = false;
    await this.workflow.shutdown(graceMs);
  }

  /** Retries writes after a storage failure; clears it when they work (see StorageHealth.probe). */
  probeStorage(): Promise<boolean> {
    return this.storage.probe([this.config.OUTPUT_DIR, this.config.DATA_DIR], () => this.store.probeWrite());
  }
}
