import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config.js';

/**
 * What the Dockerfile and the compose files promise an operator, read from the files themselves.
 * `npm run test:container` builds and runs the image (minutes, buildah as root); this runs anywhere.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

/** The Dockerfile's instructions of the last stage, continuation lines joined. */
function runtimeStage(): Map<string, string[]> {
  const lines = read('Dockerfile').replace(/\\\n/g, ' ').split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
  const lastFrom = lines.map((l) => /^FROM\s/i.test(l)).lastIndexOf(true);
  const stage = new Map<string, string[]>();
  for (const line of lines.slice(lastFrom)) {
    const [instruction, ...rest] = line.trim().split(/\s+/);
    const key = instruction!.toUpperCase();
    stage.set(key, [...(stage.get(key) ?? []), rest.join(' ')]);
  }
  return stage;
}

type Service = {
  image?: string; build?: string; command?: string[]; ports?: string[]; volumes?: string[];
  environment?: Record<string, string>; env_file?: Array<{ path: string }>; stop_grace_period?: string;
  healthcheck?: { disable?: boolean }; depends_on?: Record<string, { condition: string }>;
};
// merge: compose applies YAML merge keys (<<: *anchor), which YAML 1.2 parsers leave alone by default
const compose = (file: string) => parse(read(file), { merge: true }) as { services: Record<string, Service> };
const seconds = (duration: string) => Number(/^(\d+)s$/.exec(duration)?.[1]);
const defaults = loadConfig({ argv: [], env: {} });

describe('Dockerfile', () => {
  const stage = runtimeStage();

  it('builds on a base image given as an argument, Node 24 bookworm-slim by default', () => {
    expect(read('Dockerfile')).toMatch(/^ARG BASE_IMAGE=node:24-bookworm-slim$/m);
    expect(stage.get('FROM')).toEqual(['${BASE_IMAGE}']);
  });

  it('installs only production dependencies, and the native OCR engine with eng, fra and osd', () => {
    expect(read('Dockerfile')).toMatch(/npm ci --omit=dev/);
    const run = stage.get('RUN')!.join(' ');
    for (const pkg of ['tesseract-ocr', 'tesseract-ocr-eng', 'tesseract-ocr-fra', 'tesseract-ocr-osd', 'tini']) {
      expect(run.split(/\s+/)).toContain(pkg);
    }
    expect(run).not.toMatch(/\bg\+\+|\bmake\b/); // compilers stay in the build stage
  });

  it('runs as a non-root user with the data folders as volumes', () => {
    expect(stage.get('USER')).toEqual(['pagemill']);
    const volumes = JSON.parse(stage.get('VOLUME')![0]!) as string[];
    const env = stage.get('ENV')!.join(' ');
    for (const [name, dir] of [['DATA_DIR', '/data'], ['INPUT_DIR', '/input'], ['OUTPUT_DIR', '/output']]) {
      expect(volumes).toContain(dir);
      expect(env).toContain(`${name}=${dir}`);
    }
  });

  it('checks health on /ready with what the image has (node), and lets SIGTERM reach node', () => {
    const health = stage.get('HEALTHCHECK')![0]!;
    expect(health).toMatch(/CMD \["node", "-e", ".*\/ready/);
    // exec form: no shell and no npm between the signal and node; tini passes it on
    const entrypoint = JSON.parse(stage.get('ENTRYPOINT')![0]!) as string[];
    expect(entrypoint.slice(0, 3)).toEqual(['/usr/bin/tini', '--', 'node']);
    expect(entrypoint).toContain('--single-threaded-gc'); // as npm start runs it
    expect(entrypoint.at(-1)).toBe('/app/bin/pagemill.mjs');
    expect(JSON.parse(stage.get('CMD')![0]!)).toEqual(['serve']);
    const env = stage.get('ENV')!.join(' ');
    expect(env).toContain('MALLOC_ARENA_MAX=1');
    expect(env).toContain('MALLOC_MMAP_THRESHOLD_=262144');
  });
});

describe('compose.yaml', () => {
  const { services } = compose('compose.yaml');

  it('runs Redis persistent and never evicting', () => {
    const command = services.redis!.command!.join(' ');
    expect(command).toContain('--appendonly yes');
    expect(command).toContain('--maxmemory-policy noeviction');
    expect(services.redis!.volumes!.some((v) => v.endsWith(':/data'))).toBe(true);
  });

  it('runs one API node on port 8080 and two worker nodes of the same image, each with its own data volume', () => {
    const workers = Object.entries(services).filter(([, s]) => s.command?.[0] === 'worker');
    expect(workers).toHaveLength(2);
    expect(services.api!.ports).toEqual(['8080:8080']);
    expect(services.api!.environment!.REDIS_URL).toBe('redis://redis:6379');
    const images = new Set([services.api!.image, ...workers.map(([, s]) => s.image)]);
    expect(images.size).toBe(1);
    const dataVolumes = [services.api!, ...workers.map(([, s]) => s)].map((s) => s.volumes!.find((v) => v.endsWith(':/data')));
    expect(new Set(dataVolumes).size).toBe(3);
    for (const [, worker] of workers) {
      expect(worker.environment!.CLUSTER_API_URL).toBe('http://api:8080');
      expect(worker.environment!.REDIS_URL).toBe('redis://redis:6379');
    }
  });

  it('takes CLUSTER_SECRET from an env file on every node, never from the compose file', () => {
    for (const name of ['api', 'worker-1', 'worker-2']) {
      expect(services[name]!.environment).not.toHaveProperty('CLUSTER_SECRET');
      expect(services[name]!.env_file).toEqual([{ path: 'cluster.env', required: true }]);
    }
    expect(read('.gitignore').split('\n')).toContain('cluster.env');
  });

  it('gives every node time to drain on SIGTERM', () => {
    for (const name of ['api', 'worker-1', 'worker-2']) {
      expect(seconds(services[name]!.stop_grace_period!)).toBeGreaterThan(defaults.SHUTDOWN_TIMEOUT_S);
    }
  });
});

describe('compose.single-node.yaml', () => {
  const { services } = compose('compose.single-node.yaml');

  it('runs one server with no Redis, its data on volumes, time to drain', () => {
    expect(Object.keys(services)).toEqual(['pagemill']);
    const server = services.pagemill!;
    expect(server.environment?.REDIS_URL).toBeUndefined();
    expect(server.command).toBeUndefined(); // the image's default: serve
    expect(server.ports).toEqual(['8080:8080']);
    for (const dir of ['/data', '/input', '/output']) expect(server.volumes!.some((v) => v.endsWith(`:${dir}`))).toBe(true);
    expect(seconds(server.stop_grace_period!)).toBeGreaterThan(defaults.SHUTDOWN_TIMEOUT_S);
  });
});
