// Piscina loads this plain-JS entry in each worker thread. It registers tsx's loader for the
// thread (worker threads do not inherit the main thread's module hooks on Node 20), then loads
// the TypeScript tasks. Running from compiled JS would need no loader; we run the sources directly.
import { register } from 'tsx/esm/api';

register();
const tasks = await import('./page.ts');

export const inspect = tasks.inspect;
export const processPage = tasks.processPage;
export const ping = tasks.ping;
