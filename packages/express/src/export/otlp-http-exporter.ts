import { ExportResultCode } from '@opentelemetry/core';
import type { OTLPExporterNodeConfigBase } from '@opentelemetry/otlp-exporter-base';
import { CompressionAlgorithm, OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import { convertLegacyHttpOptions, createOtlpHttpExportDelegate } from '@opentelemetry/otlp-exporter-base/node-http';
import type { IExporterMetricsHelper, ISerializer } from '@opentelemetry/otlp-transformer';
import type { BatchExportResult } from './bounded-queue.js';
import type { QueueableExporter } from './queued-exporter.js';
import { GZIP_HEADERS, RequestGzipper } from './gzip-requests.js';

const PROTOBUF_HEADERS = { 'Content-Type': 'application/x-protobuf' };

/** What a collector's `partial_success` says it refused of one export. */
interface Rejected {
  /** `rejected_log_records` or `rejected_spans`. */
  readonly count: number | undefined;
  readonly errorMessage: string | undefined;
}

/** One signal's OTLP/HTTP protobuf export: where it goes, how it is written, and how its answer names what was refused. */
export interface OtlpHttpSignal<T, R> {
  signal: 'LOGS' | 'TRACES';
  /** Appended to a base endpoint: `v1/logs`. */
  path: string;
  /** The exporter's `otel.component.type`, as the SDK names its own. */
  componentType: string;
  metricsHelper: IExporterMetricsHelper<T[]>;
  serializer: ISerializer<T[], R>;
  rejected(response: R): Rejected | undefined;
}

/**
 * The SDK's OTLP/HTTP protobuf exporter (transport, retries) for one
 * signal, with two differences. With `compression: 'gzip'`, each request is
 * written and gzipped (see {@link RequestGzipper}) before it is handed to the
 * SDK's delegate, which sends it as it is (`forceFlush` and `shutdown` wait
 * for a batch still being gzipped); no `compression` means none. And
 * a 200 answer whose `partial_success` rejects items is not a plain
 * success: the SDK's exporter only logs it through `diag` and calls the
 * whole batch exported. The specification asks the client to
 * count what the server rejected, and not to retry it; here the answer
 * becomes FAILED with the rejected count as `failedItems`, so the queue
 * counts those items as dropped, the rest as exported, and reports it once.
 */
export function otlpHttpExporter<T, R>(
  config: OTLPExporterNodeConfigBase,
  signal: OtlpHttpSignal<T, R>,
): Required<QueueableExporter<T>> {
  // The queue in front sends one batch at a time, so the answer the decoder
  // saw last belongs to the callback that follows it.
  let last: Rejected | undefined;
  // With gzip: the request written and compressed for the export being handed to the delegate, which asks for it at once.
  let prepared: Uint8Array | undefined;
  const serializer: ISerializer<T[], R> = {
    serializeRequest: (items) => prepared ?? signal.serializer.serializeRequest(items),
    deserializeResponse: (data) => {
      const response = signal.serializer.deserializeResponse(data);
      last = signal.rejected(response);
      return response;
    },
  };
  const gzip = config.compression === CompressionAlgorithm.GZIP;
  const options = convertLegacyHttpOptions(
    Object.assign({}, config, { compression: CompressionAlgorithm.NONE }),
    signal.signal,
    signal.path,
    gzip ? Object.assign({}, PROTOBUF_HEADERS, GZIP_HEADERS) : PROTOBUF_HEADERS,
  );
  const exporter = new OTLPExporterBase<T[]>(
    createOtlpHttpExportDelegate(options, serializer, signal.componentType, signal.metricsHelper, undefined),
  );
  const send = (items: T[], resultCallback: (result: BatchExportResult) => void): void => {
    exporter.export(items, (result) => {
      const rejected = last;
      last = undefined;
      resultCallback(result.code === ExportResultCode.SUCCESS ? partialResult(rejected, items.length) : result);
    });
  };
  const gzipper = gzip ? new RequestGzipper() : undefined;
  // Batches on the thread pool, not yet handed to the delegate: a flush or a
  // shutdown waits for them as the delegate's own waits for its sends.
  const gzipped = (): Promise<void> => gzipper?.idle() ?? Promise.resolve();
  return {
    export(items, resultCallback) {
      if (gzipper === undefined) return send(items, resultCallback);
      const request = signal.serializer.serializeRequest(items);
      if (request === undefined) return send(items, resultCallback);
      gzipper.gzip(request, (error, body) => {
        // In the zlib stream's callback, where a throw would end the process: every failure becomes the batch's.
        try {
          if (error !== null) return resultCallback({ code: ExportResultCode.FAILED, error });
          prepared = body;
          send(items, resultCallback);
        } catch (thrown) {
          resultCallback({ code: ExportResultCode.FAILED, error: thrown as Error });
        } finally {
          prepared = undefined;
        }
      });
    },
    forceFlush: () => gzipped().then(() => exporter.forceFlush()),
    shutdown: () => gzipped().then(() => exporter.shutdown()),
  };
}

/** A success, or a partial failure when the collector rejected some of the `sent` items. */
function partialResult(rejected: Rejected | undefined, sent: number): BatchExportResult {
  const count = rejected?.count ?? 0;
  if (!(count > 0)) return { code: ExportResultCode.SUCCESS };
  const reason = rejected?.errorMessage ? `: ${rejected.errorMessage}` : '';
  return {
    code: ExportResultCode.FAILED,
    failedItems: Math.min(count, sent),
    error: new Error(`the collector rejected ${count} of ${sent} items${reason}`),
  };
}
