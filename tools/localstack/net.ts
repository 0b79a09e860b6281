import { createConnection, createServer } from 'node:net';
import { LOCAL_HOST } from './constants';

/**
 * True when something accepts TCP connections on host:port. A plain connect rather than a protocol
 * request because this only answers "is the port taken?"; checkHealth does the protocol-level checks.
 */
export function isListening(port: number, host = LOCAL_HOST, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    const finish = (listening: boolean): void => {
      socket.removeAllListeners();
      socket.destroy();
      resolve(listening);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Asks the OS for a currently unused port. Another process may grab it before it is used, so callers must tolerate that. */
export function findFreePort(host = LOCAL_HOST): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('could not determine a free port'))));
    });
  });
}
