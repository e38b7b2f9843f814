import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import type { MetricProducer } from '@opentelemetry/sdk-metrics';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ResolvedPrometheus } from '../config.js';
import type { TelemetryReporter } from '../reporter.js';

/** The path Prometheus scrapes, as the SDK's exporter and Triton serve it. */
export const PROMETHEUS_PATH = '/metrics';

/** A Prometheus scrape endpoint: the reader that collects on each scrape, and the server it answers on. */
export interface PrometheusEndpoint {
  /** Registered with the meter provider, which binds it to its metrics. */
  readonly reader: PrometheusExporter;
  /**
   * The scrape URL once the server listens (the port chosen when 0 was
   * asked), or undefined when it could not listen. Never rejects.
   */
  readonly url: Promise<string | undefined>;
  /** Stops listening and closes the scrapers' connections. */
  close(): Promise<void>;
}

/** A host as a URL writes it: an IPv6 address in brackets. */
function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Where a scraper on this machine reaches a server listening on `host`: a wildcard address is no destination. */
function reachableHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '::1';
  return host;
}

/**
 * Serves `producer`'s metrics in Prometheus' text format on `GET /metrics`
 * at `where`, with the SDK's `PrometheusExporter` as the reader that
 * collects and writes them. The server is this function's rather than the
 * exporter's, so that port 0 takes a free port and a port already in use
 * is reported once, through `reporter`, instead of going to `diag` unseen;
 * the calls are unaffected either way. It does not keep the process
 * alive, nor do its scrapers' connections: the application's own server
 * does.
 */
export function servePrometheus(
  where: ResolvedPrometheus,
  producer: MetricProducer,
  reporter: TelemetryReporter,
): PrometheusEndpoint {
  const reader = new PrometheusExporter({ preventServerStart: true, metricProducers: [producer] });
  const server = createServer((req, res) => {
    const path = req.url?.split('?', 1)[0];
    if (path !== PROMETHEUS_PATH || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.statusCode = 404;
      res.end();
      return;
    }
    reader.getMetricsRequestHandler(req, res);
  }).unref();
  // A scraper's keep-alive connection would hold the process as long as it scrapes more often than the server's
  // keep-alive timeout: the connections are unref'd as the server is.
  server.on('connection', (socket) => socket.unref());
  // Assigned at once: a promise runs its executor as it is made.
  let settle!: (url: string | undefined) => void;
  const url = new Promise<string | undefined>((resolve) => {
    settle = resolve;
    // Listening on, for an error after the server is up: without a listener it would end the process.
    server.on('error', (error) => {
      reporter.warnOnce(
        'INFERLENS_PROMETHEUS_ENDPOINT',
        `the Prometheus endpoint on ${urlHost(where.host)}:${where.port} failed, and metrics are not served there ` +
          `(predict calls are unaffected): ${error.message}`,
      );
      resolve(undefined);
    });
    server.listen({ host: where.host, port: where.port }, () => {
      const { port } = server.address() as AddressInfo;
      resolve(`http://${urlHost(reachableHost(where.host))}:${port}${PROMETHEUS_PATH}`);
    });
  });
  return {
    reader,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        // Closed before it listened (a host still being looked up), the server never will: the URL says so.
        settle(undefined);
        // Resolves also when the server never listened (ERR_SERVER_NOT_RUNNING): there is nothing to stop.
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
