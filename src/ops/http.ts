import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Deps } from '../deps.js';
import { checkReadiness, type ReadinessOptions } from './readiness.js';

/** Where the ops endpoint listens; port 0 = any free port. */
export interface OpsServerOptions {
  readonly host: string;
  readonly port: number;
  readonly readiness?: ReadinessOptions;
}

/** A listening ops endpoint. */
export interface OpsServer {
  /** e.g. `http://127.0.0.1:9464`. */
  readonly url: string;
  close(): Promise<void>;
}

/** What the ops endpoint reads. */
export type OpsServerDeps = Pick<Deps, 'config' | 'clock' | 'store' | 'market' | 'runtime' | 'logger' | 'metrics'>;

const PATHS = ['/healthz', '/readyz', '/metrics'];

function send(res: ServerResponse, status: number, body: string, contentType: string, head: boolean): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
  res.end(head ? undefined : body);
}

const json = (res: ServerResponse, status: number, body: unknown, head: boolean): void =>
  send(res, status, `${JSON.stringify(body)}\n`, 'application/json; charset=utf-8', head);

async function route(req: IncomingMessage, res: ServerResponse, deps: OpsServerDeps, options: OpsServerOptions): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://ops').pathname;
  const head = req.method === 'HEAD';
  if (!PATHS.includes(path)) return json(res, 404, { error: `no such path; try ${PATHS.join(', ')}` }, head);
  if (req.method !== 'GET' && !head) {
    res.setHeader('allow', 'GET, HEAD');
    return json(res, 405, { error: `${req.method ?? '?'} is not allowed; use GET` }, head);
  }
  if (path === '/healthz') {
    const uptimeS = Math.max(0, Math.round((deps.clock.now() - deps.runtime.startedAtMs) / 1000));
    return json(res, 200, { status: 'ok', uptimeS, version: deps.runtime.version, instance: deps.config.ops.instanceId }, head);
  }
  if (path === '/readyz') {
    const readiness = await checkReadiness(deps, options.readiness);
    return json(res, readiness.ready ? 200 : 503, { status: readiness.ready ? 'ready' : 'not ready', ...readiness }, head);
  }
  send(res, 200, await deps.metrics.scrape(), deps.metrics.contentType, head);
}

function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/**
 * Serves GET /healthz (the process is alive), /readyz (store, exchange and chat checks; 503 naming the failing ones)
 * and /metrics (Prometheus text). When the address cannot be bound it logs why and resolves undefined: the bot runs on.
 */
export async function startOpsServer(deps: OpsServerDeps, options: OpsServerOptions): Promise<OpsServer | undefined> {
  const { logger } = deps;
  deps.metrics.watch(deps);
  const server = createServer((req, res) => {
    route(req, res, deps, options).catch((error: unknown) => {
      logger.error({ err: error, path: req.url }, 'the ops endpoint failed to answer');
      if (!res.headersSent) json(res, 500, { error: 'internal error; see the bot log' }, req.method === 'HEAD');
      else res.destroy();
    });
  });
  server.requestTimeout = 10_000;
  let address: AddressInfo;
  try {
    address = await listen(server, options.host, options.port);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'EADDRINUSE' ? 'the port is in use' : (error as Error).message;
    logger.error(
      { err: error, host: options.host, port: options.port },
      `the ops endpoint could not listen on ${options.host}:${options.port} (${reason}); the bot runs on without /healthz, /readyz and /metrics (set OPS_PORT to a free port, 0 = any, or off)`,
    );
    return undefined;
  }
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.info({ url }, `ops endpoint listening: ${url}/healthz, /readyz, /metrics`);
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
