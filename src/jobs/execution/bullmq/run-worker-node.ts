import { ConfigError, loadConfig } from '../../../config.js';
import { createLogger } from '../../../observability/logger.js';
import { prepareOcr } from '../../../languages/ocr-setup.js';
import { installCrashHandlers } from '../../../observability/process-handlers.js';
import { startWorkerNode } from './worker-node.js';

/** `pagemill worker`: runs until SIGTERM/SIGINT, then hands its running pages back and exits 0. */
export async function runWorkerNode(argv: readonly string[]): Promise<void> {
  const config = loadConfig({ argv, env: process.env, envFile: '.env' });
  if (!config.REDIS_URL || !config.CLUSTER_API_URL) {
    throw new ConfigError('a worker node needs --redis redis://HOST:PORT and --api http://API:PORT (or REDIS_URL and CLUSTER_API_URL)');
  }
  const log = createLogger(config);
  installCrashHandlers(log);
  const languages = await prepareOcr(config, log);
  const node = await startWorkerNode(config, languages, log);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'worker node stopping: running pages go back to the queue');
    // Handing pages back takes a moment even with SHUTDOWN_TIMEOUT_S=0: without it they would stall.
    const budgetMs = Math.max(config.SHUTDOWN_TIMEOUT_S * 1000, 3_000);
    const deadline = setTimeout(() => process.exit(0), budgetMs).unref();
    node.close(budgetMs - 500).then(
      () => {
        clearTimeout(deadline);
        log.info('worker node stopped');
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'worker node stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
