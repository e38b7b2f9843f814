/**
 * An HTTP forwarder in front of a collector that notes what each request
 * looked like on the wire (headers, first bytes) and passes the bytes on
 * untouched, so a test can see that exports were compressed and that the
 * collector accepted them as sent. When the collector cannot be reached it
 * drops the client's connection, as a collector that is down would.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { once } from 'node:events';

/** The first two bytes of every gzip stream (RFC 1952). */
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);

/** One request as it went over the wire. */
export interface ForwardedRequest {
  /** The URL path, e.g. `/v1/logs`. */
  readonly path: string;
  /** The `content-encoding` header, lowercased; undefined when absent. */
  readonly contentEncoding: string | undefined;
  /** Whether the body starts with gzip's magic bytes. */
  readonly gzipBody: boolean;
  /** The collector's status; undefined when it could not be reached. */
  readonly upstreamStatus: number | undefined;
}

export interface RecordingProxy {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Every request so far, in the order they were answered. */
  requests(): readonly ForwardedRequest[];
  close(): Promise<void>;
}

/** Starts a forwarder on 127.0.0.1 and a free port, passing every request on to `upstream` (`http://host:port`). */
export async function startRecordingProxy(upstream: string): Promise<RecordingProxy> {
  const target = new URL(upstream);
  const forwarded: ForwardedRequest[] = [];
  const sockets = new Set<Socket>();

  const forward = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const seen = {
      path: new URL(request.url ?? '/', 'http://proxy').pathname,
      contentEncoding: request.headers['content-encoding']?.toLowerCase(),
      gzipBody: body.subarray(0, GZIP_MAGIC.length).equals(GZIP_MAGIC),
    };
    const outgoing = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: request.method,
        path: request.url,
        headers: { ...request.headers, host: target.host },
      },
      (answer) => {
        forwarded.push({ ...seen, upstreamStatus: answer.statusCode });
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    outgoing.once('error', () => {
      forwarded.push({ ...seen, upstreamStatus: undefined });
      request.socket.destroy();
    });
    outgoing.end(body);
  };

  const server = createServer((request, response) => void forward(request, response));
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => [...forwarded],
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
