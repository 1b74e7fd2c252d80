import type { FastifyInstance } from 'fastify';

export interface RegisteredRoute { path: string; methods: string[] }

/**
 * Every registered route, read from Fastify's own route tree (printRoutes), so a route added
 * later shows up in tests that walk them all without anyone listing it.
 */
export function registeredRoutes(app: FastifyInstance): RegisteredRoute[] {
  const stack: string[] = [];
  const routes: RegisteredRoute[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│ ]*)(?:├── |└── )(.+?)(?: \(([^)]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    const path = (stack[depth - 1] ?? '') + m[2]!;
    stack.push(path);
    if (m[3]) routes.push({ path, methods: m[3].split(', ').map((s) => s.trim()) });
  }
  return routes;
}
