/**
 * A fault-injecting reverse proxy for the local stack's real servers. It speaks HTTP (or HTTPS, with the
 * certificate @vercel/cosmosdb-server ships) on a loopback port, forwards every request to the real server
 * and, when the current plan says so, answers it itself with an error status, delays it, or resets the
 * client's TCP connection (before forwarding, or after the server has already handled the request, so the
 * client cannot know whether its write happened). The app host is pointed at it through its endpoint
 * settings; nothing in the app knows it is there.
 */
import { readFileSync } from 'node:fs';
import http, { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import net, { AddressInfo, Socket } from 'node:net';

export type Fault =
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  | { kind: 'delay'; ms: number }
  /** `before`: the server never sees the request; `after`: it handled it, the client gets a reset instead of the answer. */
  | { kind: 'reset'; when: 'before' | 'after' }
  /** Forwards the status line, headers and the first `bytes` of the body, then resets. */
  | { kind: 'truncate'; bytes: number };

export interface RequestInfo {
  method: string;
  /** Path and query as received. */
  url: string;
  headers: http.IncomingHttpHeaders;
  /** 1-based count of requests seen by this proxy. */
  n: number;
}

/** Decides the fate of one request; undefined forwards it untouched. */
export type FaultPlan = (request: RequestInfo) => Fault | undefined;

/**
 * A verdict on one operation of a Cosmos bulk request: a status to answer it with in place of the server
 * (the others still go to the server), or undefined to pass it on.
 */
export type OperationVerdict = (operation: Record<string, unknown>) => number | undefined;

export interface FaultProxy {
  readonly url: string;
  plan: FaultPlan;
  operationVerdict?: OperationVerdict;
  /** Requests seen, and faults applied per kind (`status-429`, `reset-after`, `delay`, …). */
  readonly counts: { requests: number; faults: Record<string, number> };
  stop(): Promise<void>;
}

export const NO_FAULTS: FaultPlan = () => undefined;

/** The certificate and key bundled with @vercel/cosmosdb-server (self-signed, expired; the app trusts it only with COSMOS_ALLOW_SELF_SIGNED). */
export function cosmosServerCertificate(): { cert: Buffer; key: Buffer } {
  const dir = require.resolve('@vercel/cosmosdb-server/package.json').replace(/package\.json$/, '');
  return { cert: readFileSync(`${dir}cert.pem`), key: readFileSync(`${dir}key.pem`) };
}

function faultName(fault: Fault): string {
  if (fault.kind === 'status') return `status-${fault.status}`;
  if (fault.kind === 'reset') return `reset-${fault.when}`;
  return fault.kind;
}

/** Sends a TCP RST. A TLS socket has no TCP handle of its own: the reset goes to the socket it wraps. */
function reset(socket: Socket): void {
  if (socket.destroyed) return;
  const raw = (socket as Socket & { _parent?: Socket })._parent ?? socket;
  raw.resetAndDestroy();
  socket.destroy();
}

/**
 * Starts a proxy to `target` (`http://…` or `https://…`). `tls` makes the proxy itself HTTPS. Upstream
 * TLS is not verified: the targets are the local stack's self-signed servers.
 */
export async function startFaultProxy(
  target: string,
  options: { tls?: { cert: Buffer; key: Buffer }; plan?: FaultPlan } = {},
): Promise<FaultProxy> {
  const upstream = new URL(target);
  const secureUpstream = upstream.protocol === 'https:';
  const agent = secureUpstream
    ? new https.Agent({ keepAlive: true, rejectUnauthorized: false, maxSockets: 64 })
    : new http.Agent({ keepAlive: true, maxSockets: 64 });
  const counts = { requests: 0, faults: {} as Record<string, number> };
  const sockets = new Set<Socket>();

  /** `req` sent on to the real server with `headers`; a failed upstream connection resets the client's. */
  const sendUpstream = (
    req: IncomingMessage,
    headers: http.OutgoingHttpHeaders,
    onAnswer: (answer: IncomingMessage) => void,
  ): http.ClientRequest => {
    const send = secureUpstream ? https.request : http.request;
    const outgoing = send(
      {
        protocol: upstream.protocol,
        hostname: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers,
        agent,
      },
      onAnswer,
    );
    outgoing.on('error', () => reset(req.socket));
    return outgoing;
  };

  const forward = (req: IncomingMessage, res: ServerResponse, fault: Fault | undefined): void => {
    // Host as the client sent it: S3 signatures (presigned URLs included) cover the host header.
    const outgoing = sendUpstream(req, req.headers, (answer) => {
      if (fault?.kind === 'reset') {
        answer.resume();
        answer.on('end', () => reset(req.socket));
        return;
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      if (fault?.kind === 'truncate') {
        let sent = 0;
        answer.on('data', (chunk: Buffer) => {
          if (req.socket.destroyed) return;
          const room = fault.bytes - sent;
          if (room <= 0) return reset(req.socket);
          res.write(chunk.subarray(0, room));
          sent += Math.min(room, chunk.length);
        });
        answer.on('end', () => reset(req.socket));
        return;
      }
      answer.pipe(res);
    });
    req.pipe(outgoing);
  };

  /** Splits a bulk request: judged operations are answered here, the rest is sent on, and the answers merged in order. */
  const forwardBulk = (req: IncomingMessage, res: ServerResponse, verdict: OperationVerdict): void => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const operations = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>[];
      const verdicts = operations.map((operation) => verdict(operation));
      const passed = operations.filter((_, i) => verdicts[i] === undefined);
      const answer = (results: unknown[], status: number, headers: http.OutgoingHttpHeaders): void => {
        let next = 0;
        const merged = verdicts.map((v) => (v === undefined ? results[next++] : { statusCode: v, requestCharge: 0 }));
        const body = JSON.stringify(merged);
        counts.faults['rejected-operation'] =
          (counts.faults['rejected-operation'] ?? 0) + verdicts.filter((v) => v !== undefined).length;
        res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
        res.end(body);
      };
      if (passed.length === 0)
        return answer([], 200, { 'content-type': 'application/json', 'x-ms-request-charge': '0' });
      const body = Buffer.from(JSON.stringify(passed));
      const outgoing = sendUpstream(
        req,
        { ...req.headers, 'content-length': String(body.length) },
        (upstreamAnswer) => {
          const parts: Buffer[] = [];
          upstreamAnswer.on('data', (chunk: Buffer) => parts.push(chunk));
          upstreamAnswer.on('end', () => {
            const text = Buffer.concat(parts).toString('utf8');
            const results = JSON.parse(text) as unknown;
            if (!Array.isArray(results)) {
              res.writeHead(upstreamAnswer.statusCode ?? 502, upstreamAnswer.headers);
              res.end(text);
              return;
            }
            const headers = { ...upstreamAnswer.headers };
            delete headers['content-length'];
            delete headers['transfer-encoding'];
            answer(results, upstreamAnswer.statusCode ?? 200, headers);
          });
        },
      );
      outgoing.end(body);
    });
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    counts.requests++;
    const fault = proxy.plan({
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      n: counts.requests,
    });
    if (fault) counts.faults[faultName(fault)] = (counts.faults[faultName(fault)] ?? 0) + 1;
    const verdict = proxy.operationVerdict;
    const bulk = req.method === 'POST' && String(req.headers['x-ms-cosmos-is-batch-request']).toLowerCase() === 'true';
    if (!fault && verdict && bulk) return forwardBulk(req, res, verdict);
    if (!fault) return forward(req, res, undefined);
    switch (fault.kind) {
      case 'status':
        req.resume();
        req.on('end', () => {
          res.writeHead(fault.status, fault.headers ?? {});
          res.end(fault.body ?? '');
        });
        return;
      case 'delay':
        setTimeout(() => forward(req, res, undefined), fault.ms);
        return;
      case 'reset':
        if (fault.when === 'before') {
          req.resume();
          reset(req.socket);
          return;
        }
        return forward(req, res, fault);
      case 'truncate':
        return forward(req, res, fault);
    }
  };

  const server = options.tls
    ? https.createServer({ ...options.tls, keepAlive: true }, handle)
    : http.createServer({ keepAlive: true }, handle);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('secureConnection', (socket: Socket) => {
    socket.on('error', () => undefined);
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const proxy: FaultProxy = {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    plan: options.plan ?? NO_FAULTS,
    operationVerdict: undefined,
    counts,
    async stop() {
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      // Every connection is destroyed above. The HTTP server's own close() would walk them again for idle ones, and
      // Node 20 fails there on a connection the fault plan reset mid-request ("Cannot read properties of null
      // (reading '_httpMessage')"), leaving the server listening; the plain socket server's close() has no such walk.
      await new Promise<void>((resolve) => net.Server.prototype.close.call(server, () => resolve()));
    },
  };
  return proxy;
}
