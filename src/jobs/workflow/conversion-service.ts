import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { Languages } from '../../languages/languages.js';
import type { Backend } from '../contracts/backend.js';
import type { ProgressBus } from '../contracts/progress-bus.js';
import { OnDemandDocuments } from '../documents/on-demand-documents.js';
import { ConversionAdmission } from './conversion-admission.js';
import { ConversionOperations } from './conversion-operations.js';
import { ConversionQueries } from './conversion-queries.js';
import { ConversionWorkflow } from './conversion-workflow.js';
import { StorageHealth } from './storage-health.js';

export type { SubmitRequest } from './conversion-admission.js';

/**
 * What routes and the CLI use, in three parts that change for different reasons: `admission`
 * (accepting work: sources, limits, idempotency), `queries` (records, pages, results, pool, stats)
 * and `operations` (cancel, delete, resume, checks, shutdown). The lifecycle of a conversion runs
 * in ConversionWorkflow, on the backend's contracts.
 */
export class ConversionService {
  readonly admission: ConversionAdmission;
  readonly queries: ConversionQueries;
  readonly operations: ConversionOperations;
  readonly events: ProgressBus;
  /** Whether the disk and the database take writes (see StorageHealth). */
  readonly storage: StorageHealth;

  constructor(config: Config, backend: Backend, readonly languages: Languages, log: Logger) {
    const { store, blobs, bus } = backend;
    this.events = bus;
    this.storage = new StorageHealth(log);
    bus.onListenerError = (err, m) => log.warn({ err, conversion_id: m.conversion_id }, 'progress listener failed');
    const workflow = new ConversionWorkflow(config, backend, languages, log, this.storage);
    const documents = new OnDemandDocuments(store, blobs, log);
    const accepting = () => this.operations.isAccepting;
    this.queries = new ConversionQueries(backend, workflow, documents, this.storage, languages, accepting);
    this.operations = new ConversionOperations(config, store, blobs, workflow, documents, this.storage, this.queries, log);
    this.admission = new ConversionAdmission(config, store, workflow, this.storage, this.queries, accepting, log);
  }
}
