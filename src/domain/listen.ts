import { createServer, type AddressInfo, type Server } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { DockhandError } from './errors';

/**
 * Where Dockhand's HTTP port listens: PORT, and HOST (absent: every interface, as Node does).
 * Every server on that port goes through `listenOn`, so a taken port or a wrong HOST reads the
 * same wherever it happens, naming the setting to change instead of `listen EADDRINUSE`.
 */
export interface ListenAt {
  port: number;
  host?: string;
}

/** Starts `server` listening; rejects with `listenError`'s DockhandError when it cannot. */
export async function listenOn(server: Server, at: ListenAt): Promise<AddressInfo> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(at.port, at.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    throw await listenError(e as NodeJS.ErrnoException, at);
  }
  return server.address() as AddressInfo;
}

/**
 * The error a failed listen is reported as: a taken port names PORT and a port that was free a
 * moment ago; a port that needs privileges, or a HOST that is not this machine's, name those.
 * Anything else keeps Node's message. `e` may come from another thread (the Slack front), so only
 * its `code` and `message` are read.
 */
export async function listenError(e: { code?: string; message: string }, at: ListenAt): Promise<DockhandError> {
  const where = at.host ? ` on ${at.host}` : '';
  switch (e.code) {
    case 'EADDRINUSE': {
      const free = await freePort(at.host);
      return new DockhandError('config.port_in_use', `port ${at.port} is in use (PORT)`, {
        hint: `Set PORT to a free port${free ? `, e.g. PORT=${free}` : ''}, or stop the other process.`,
        cause: e,
      });
    }
    case 'EACCES':
      return new DockhandError('config.invalid', `port ${at.port} needs administrator rights${where} (PORT)`, {
        hint: 'Set PORT to 1024 or above, and put a reverse proxy on 80/443 in front (README, "In front of the port").',
        cause: e,
      });
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new DockhandError('config.invalid', `cannot listen on ${at.host ?? 'this host'}: not an address of this machine (HOST)`, {
        hint: 'Set HOST to one of this machine\'s addresses (127.0.0.1 for this machine only), or unset it to listen on all of them.',
        cause: e,
      });
    default:
      return new DockhandError('internal', `cannot listen on port ${at.port}${where}: ${e.message}`, { cause: e });
  }
}

/** A port the OS just handed out for port 0 on `host`, closed again; undefined if none could be had. */
async function freePort(host: string | undefined): Promise<number | undefined> {
  const probe = createServer();
  try {
    return await new Promise<number>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(0, host, () => resolve((probe.address() as AddressInfo).port));
    });
  } catch {
    return undefined;
  } finally {
    await new Promise<void>((resolve) => (probe.listening ? probe.close(() => resolve()) : resolve()));
  }
}

/**
 * Reads a webhook's body, keeping at most `max` bytes: a longer body is read to its end (so the
 * answer reaches the sender) but not held, and `onBody` gets `undefined` for it.
 */
export function readBoundedBody(req: IncomingMessage, max: number, onBody: (body: Buffer | undefined) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (c: Buffer) => {
    size += c.length;
    if (size <= max) chunks.push(c);
  });
  req.on('end', () => onBody(size > max ? undefined : Buffer.concat(chunks)));
}
