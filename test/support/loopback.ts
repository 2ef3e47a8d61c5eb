import { createServer, type RequestListener } from 'node:http';
import { listenOnLoopback } from '../../src/sandbox/listen';

export interface LoopbackServer {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  url: string;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 (a free port) for a test: a webhook target, a forger's host. */
export async function startLoopbackServer(handler: RequestListener): Promise<LoopbackServer> {
  const server = createServer(handler);
  const url = await listenOnLoopback(server, {}, 'http');
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
