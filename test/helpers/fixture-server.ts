// A local HTTP server standing in for Hugging Face and arXiv: it serves saved responses (test/fixtures), and can
// script failures (429, 500, timeouts, bad JSON) per request. It records every request it saw.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';

export const fixturesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');

export function readFixture(relative: string): string {
  return readFileSync(path.join(fixturesDir, relative), 'utf8');
}

export interface FixtureResponse {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Never answer (for timeout tests); the socket is closed when the server closes. */
  hang?: boolean;
}

export type FixtureHandler = (url: URL, req: http.IncomingMessage) => FixtureResponse | Promise<FixtureResponse>;

export interface FixtureServer {
  baseUrl: string;
  requests: { method: string; url: URL; headers: http.IncomingHttpHeaders }[];
  /** Handles every request whose pathname equals `pathname`. Later routes replace earlier ones. */
  route(pathname: string, handler: FixtureHandler): void;
  /** Answers the next requests to `pathname` with these responses, in order, before falling back to the route. */
  queue(pathname: string, ...responses: FixtureResponse[]): void;
  close(): Promise<void>;
}

export async function startFixtureServer(): Promise<FixtureServer> {
  const routes = new Map<string, FixtureHandler>();
  const queues = new Map<string, FixtureResponse[]>();
  const requests: FixtureServer['requests'] = [];
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push({ method: req.method ?? 'GET', url, headers: req.headers });
    const queued = queues.get(url.pathname)?.shift();
    const handler = routes.get(url.pathname);
    const answer: FixtureResponse = queued ?? (handler ? await handler(url, req) : { status: 404, body: 'no fixture' });
    if (answer.hang) return;
    res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers });
    res.end(answer.body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const fixture: FixtureServer = {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    route: (pathname, handler) => routes.set(pathname, handler),
    queue(pathname, ...responses) {
      queues.set(pathname, [...(queues.get(pathname) ?? []), ...responses]);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  after(() => fixture.close());
  return fixture;
}
