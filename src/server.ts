import { pathToFileURL } from 'node:url';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './observability/logger.js';
import { createRuntime } from './runtime.js';
import { installCrashHandlers } from './observability/process-handlers.js';

/** The only place that listens. Config: defaults < .env < environment < flags. */
export async function runServer(argv: readonly string[]): Promise<void> {
  let config;
  try {
    config = loadConfig({ argv, env: process.env, envFile: '.env' });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`pagemill: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config);
  installCrashHandlers(log);
  const runtime = await createRuntime(config, log);
  const app = await buildApp({ config, logger: log, ...runtime });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, grace_s: config.SHUTDOWN_TIMEOUT_S }, 'shutting down: refusing new work, finishing running pages');
    try {
      // New /convert requests get 503 while running pages finish; then the listener closes.
      await runtime.close();
      await app.close();
      log.info('shutdown complete');
      process.exit(0);
    } catch (err) {
      log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  await app.listen({ host: config.API_HOST, port: config.API_PORT });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.API_PORT;
  log.info({ host: config.API_HOST, port, workers: config.NUM_WORKERS, data_dir: config.DATA_DIR }, 'pagemill listening');
}

/** Started directly (`npm start`), not imported by the CLI. */
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runServer(process.argv.slice(2)).catch((err) => {
    process.stderr.write(`pagemill: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
