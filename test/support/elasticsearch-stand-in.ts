/**
 * An HTTP server on port 0 that answers what the collector's elasticsearch
 * exporter asks of Elasticsearch (the product check and `_bulk`) and records
 * every document it is sent, with the index or data stream it was sent to.
 * It stands in for Elasticsearch where the one that runs here (see
 * elasticsearch.ts) cannot take what is sent: the metrics, since that core
 * server has no `histogram` field. It proves what the exporter writes, not
 * what Elasticsearch's index templates make of it.
 */
import { once } from 'node:events';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { dotEnv, tagOf } from './compose.js';

/** The version answered at `/`, that of the compose profile's image. */
const ANSWERED_VERSION = tagOf(dotEnv().get('ELASTICSEARCH_IMAGE')!);
const CREATED = 201;

/** One document of a `_bulk` request. */
export interface BulkDocument {
  /** The `_index` of its action: a data stream name in `otel` mapping mode. */
  readonly index: string;
  /** The action: `create` for data streams. */
  readonly action: string;
  readonly source: Readonly<Record<string, unknown>>;
}

export interface ElasticsearchStandIn {
  /** `http://127.0.0.1:<port>`, for the exporter's `endpoints`. */
  readonly url: string;
  /** Every document received so far, in arrival order. */
  documents(): BulkDocument[];
  close(): Promise<void>;
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  return (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
}

/** The documents of a `_bulk` body: newline-delimited JSON, an action line before each document. */
function parseBulk(body: string): BulkDocument[] {
  const lines = body.split('\n').filter((line) => line.trim() !== '');
  const documents: BulkDocument[] = [];
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const action = JSON.parse(lines[i]) as Record<string, { _index?: string }>;
    const [name] = Object.keys(action);
    documents.push({
      index: action[name]._index ?? '',
      action: name,
      source: JSON.parse(lines[i + 1]) as Record<string, unknown>,
    });
  }
  return documents;
}

function answer(res: ServerResponse, body: unknown): void {
  // The Go client refuses a server that does not say it is Elasticsearch.
  res.writeHead(200, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' });
  res.end(JSON.stringify(body));
}

/** Starts the stand-in on a free loopback port. */
export async function startElasticsearchStandIn(): Promise<ElasticsearchStandIn> {
  const received: BulkDocument[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await bodyOf(req);
      const path = new URL(req.url ?? '/', 'http://stand-in').pathname;
      if (req.method === 'POST' && path.endsWith('/_bulk')) {
        const documents = parseBulk(body);
        received.push(...documents);
        const items = documents.map(({ index, action }) => ({ [action]: { _index: index, status: CREATED } }));
        answer(res, { took: 0, errors: false, items });
      } else {
        answer(res, { version: { number: ANSWERED_VERSION }, tagline: 'You Know, for Search' });
      }
    })();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    documents: () => [...received],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
