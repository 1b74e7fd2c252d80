import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('config', () => {
  it('has working defaults and is frozen', () => {
    const c = loadConfig({ env: {} });
    expect(c.API_PORT).toBe(8080);
    expect(c.API_HOST).toBe('0.0.0.0');
    expect(c.NUM_WORKERS).toBeGreaterThan(0);
    expect(path.isAbsolute(c.INPUT_DIR)).toBe(true);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('takes defaults < .env file < environment < flags', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pm-cfg-')), '.env');
    fs.writeFileSync(file, 'API_PORT=7000\nMAX_PAGES=10\nLOG_LEVEL=debug\n');
    const c = loadConfig({ envFile: file, env: { API_PORT: '7100', MAX_PAGES: '20' }, argv: ['--port', '7200'] });
    expect(c.API_PORT).toBe(7200);
    expect(c.MAX_PAGES).toBe(20);
    expect(c.LOG_LEVEL).toBe('debug');
    expect(loadConfig({ argv: ['--host=127.0.0.1'] }).API_HOST).toBe('127.0.0.1');
  });

  it('stops on a bad value with a message naming the variable', () => {
    expect(() => loadConfig({ env: { NUM_WORKERS: 'many' } })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { NUM_WORKERS: 'many' } })).toThrow(/NUM_WORKERS/);
    expect(() => loadConfig({ env: { API_PORT: '70000' } })).toThrow(/API_PORT/);
    expect(() => loadConfig({ env: { LOG_LEVEL: 'loud' } })).toThrow(/LOG_LEVEL/);
    expect(() => loadConfig({ argv: ['--colour', 'red'] })).toThrow(/--colour/);
  });
});

describe('config: CORS_ORIGINS set to the empty string', () => {
  it('keeps it empty (no origin), while unset is still `*`', () => {
    expect(loadConfig({ env: {} }).CORS_ORIGINS).toBe('*');
    expect(loadConfig({ env: { CORS_ORIGINS: '' } }).CORS_ORIGINS).toBe('');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pm-cfg-')), '.env');
    fs.writeFileSync(file, 'CORS_ORIGINS=\n');
    expect(loadConfig({ envFile: file }).CORS_ORIGINS).toBe('');
    // an empty variable in the environment overrides a list in the .env file, like any other value
    fs.writeFileSync(file, 'CORS_ORIGINS=https://a.example\n');
    expect(loadConfig({ envFile: file, env: { CORS_ORIGINS: '' } }).CORS_ORIGINS).toBe('');
    // and other settings left empty still take their defaults
    expect(loadConfig({ env: { API_PORT: '' } }).API_PORT).toBe(8080);
  });
});
