/** HTTP plumbing of the layer: whole request bodies in, requests on to the inner server, answers out. */
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Answer } from './wire';

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/** Headers that describe one hop, not the message: never copied from one connection to the other. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'upgrade']);

export interface ForwardedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export type Forward = (request: ForwardedRequest) => Promise<Answer>;

/** Sends requests to the server the layer stands in front of, over kept-alive loopback connections. */
export function forwarderTo(host: string, port: number): Forward {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const forward: Forward = (request) =>
    once(request).catch((error: unknown) => {
      // A kept-alive connection the server closed as it was reused: the request never reached it, so send it again.
      if (
        (error as { reusedSocket?: boolean }).reusedSocket &&
        (error as NodeJS.ErrnoException).code === 'ECONNRESET'
      ) {
        return once(request);
      }
      throw error;
    });
  const once = ({ method, url, headers, body }: ForwardedRequest): Promise<Answer> =>
    new Promise<Answer>((resolve, reject) => {
      const outgoing: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(headers)) {
        if (value !== undefined && !HOP_BY_HOP.has(name)) outgoing[name] = value;
      }
      outgoing['content-length'] = String(body.length);
      const request = http.request({ host, port, method, path: url, headers: outgoing, agent }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.once('error', reject);
        response.once('end', () => {
          const answerHeaders: Record<string, string> = {};
          for (const [name, value] of Object.entries(response.headers)) {
            if (value !== undefined && !HOP_BY_HOP.has(name))
              answerHeaders[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          resolve({ status: response.statusCode ?? 502, headers: answerHeaders, body: Buffer.concat(chunks) });
        });
      });
      request.once('error', (error) => reject(Object.assign(error, { reusedSocket: request.reusedSocket })));
      request.end(body);
    });
  return forward;
}

export function send(res: ServerResponse, answer: Answer): void {
  res.statusCode = answer.status;
  for (const [name, value] of Object.entries(answer.headers)) {
    if (!HOP_BY_HOP.has(name)) res.setHeader(name, value);
  }
  res.setHeader('content-length', String(answer.body.length));
  res.end(answer.body);
}
