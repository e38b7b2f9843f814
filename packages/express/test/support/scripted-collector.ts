import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the collector answers one export: an HTTP answer, a reset connection, or none at all. */
export type ScriptedAnswer =
  { status: number; headers?: Record<string, string>; body?: Uint8Array | string } | 'reset' | 'hang';

/** An OTLP/HTTP collector on a free port that answers each request as a test tells it to. */
export interface ScriptedCollector {
  /** The base endpoint, without a signal path. */
  readonly url: string;
  /** Requests received so far. */
  readonly requests: number;
  close(): Promise<void>;
}

/** Starts a collector; `answer` is called with the request's index (0 for the first) and decides the answer. */
export async function startScriptedCollector(answer: (request: number) => ScriptedAnswer): Promise<ScriptedCollector> {
  let requests = 0;
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    req.resume();
    req.on('end', () => {
      const how = answer(requests++);
      if (how === 'hang') return;
      if (how === 'reset') {
        // Headers out, then the connection dropped: a reset in the middle of the answer.
        res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': '100' });
        res.write(Buffer.alloc(10), () => req.socket.destroy());
        return;
      }
      res.writeHead(how.status, how.headers).end(how.body);
    });
  };
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * An `ExportLogsServiceResponse` or `ExportTraceServiceResponse` in protobuf
 * whose `partial_success` rejects `rejected` items (both messages number
 * their fields alike). Small values only: each length fits in one byte.
 */
export function protobufPartialSuccess(rejected: number, errorMessage: string): Uint8Array {
  const message = Buffer.from(errorMessage, 'utf8');
  const inner = Buffer.concat([Buffer.from([0x08, rejected, 0x12, message.length]), message]);
  if (rejected > 127 || inner.length > 127) throw new Error('a partial success this large needs longer varints');
  return Buffer.concat([Buffer.from([0x0a, inner.length]), inner]);
}
