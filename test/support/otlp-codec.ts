import protobuf from 'protobufjs';
import type { ExportRequestBySignal, OtlpSignal } from './otlp-model.js';
import { OTLP_PROTO } from './otlp-schema.js';

/** The two OTLP/HTTP encodings. */
export type OtlpEncoding = 'json' | 'protobuf';

/** The media type of each encoding. */
export const OTLP_CONTENT_TYPE: Readonly<Record<OtlpEncoding, string>> = {
  json: 'application/json',
  protobuf: 'application/x-protobuf',
};

const SERVICE: Readonly<Record<OtlpSignal, string>> = {
  logs: 'opentelemetry.proto.collector.logs.v1.ExportLogsService',
  traces: 'opentelemetry.proto.collector.trace.v1.ExportTraceService',
  metrics: 'opentelemetry.proto.collector.metrics.v1.ExportMetricsService',
};

/** Fields of type `bytes` that OTLP/JSON writes as hex rather than base64. */
const ID_FIELDS: ReadonlySet<string> = new Set(['traceId', 'spanId', 'parentSpanId']);

/**
 * How decoded messages become plain objects, the same for both encodings: every field present
 * (proto3 defaults filled in, so an omitted zero and a written zero look alike), repeated fields
 * as arrays, enums as numbers, 64-bit integers as decimal strings (proto3 JSON mapping).
 * Unset message fields and unset oneof members are left out.
 */
const TO_OBJECT: protobuf.IConversionOptions = { longs: String, defaults: true, arrays: true, oneofs: false };

const ROOT: protobuf.Root = loadRoot();

function loadRoot(): protobuf.Root {
  // Without long.js protobufjs reads 64-bit integers into doubles and timestamps lose their last digits.
  if (!protobuf.util.Long) throw new Error('protobufjs found no long.js; 64-bit OTLP fields would lose precision');
  const root = new protobuf.Root();
  for (const source of Object.values(OTLP_PROTO)) protobuf.parse(source, root, { keepCase: false });
  root.resolveAll();
  return root;
}

function requestType(signal: OtlpSignal): protobuf.Type {
  return ROOT.lookupType(`${SERVICE[signal]}Request`);
}

/** Decodes an OTLP/protobuf Export*ServiceRequest into the normalised plain-object shape. */
export function decodeProtobufRequest<S extends OtlpSignal>(signal: S, bytes: Uint8Array): ExportRequestBySignal[S] {
  const type = requestType(signal);
  return toPlain(type, type.decode(bytes)) as ExportRequestBySignal[S];
}

/**
 * Decodes an OTLP/JSON Export*ServiceRequest into the same shape as {@link decodeProtobufRequest}:
 * it goes through the protobuf schema, so int64 written as numbers or strings, omitted defaults
 * and hex ids all come out as they would from protobuf. Unknown JSON fields are dropped.
 */
export function decodeJsonRequest<S extends OtlpSignal>(signal: S, text: string): ExportRequestBySignal[S] {
  const type = requestType(signal);
  const json = JSON.parse(text) as unknown;
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new Error('an OTLP/JSON request must be a JSON object');
  }
  return toPlain(type, type.fromObject(hexIdsToBytes(json) as Record<string, unknown>)) as ExportRequestBySignal[S];
}

/** Decodes a request body in either encoding. */
export function decodeRequest<S extends OtlpSignal>(
  signal: S,
  encoding: OtlpEncoding,
  body: Buffer,
): ExportRequestBySignal[S] {
  return encoding === 'json' ? decodeJsonRequest(signal, body.toString('utf8')) : decodeProtobufRequest(signal, body);
}

/** The body of a successful export: an empty Export*ServiceResponse. */
export function encodeEmptyResponse(signal: OtlpSignal, encoding: OtlpEncoding): Buffer {
  if (encoding === 'json') return Buffer.from('{}');
  const type = ROOT.lookupType(`${SERVICE[signal]}Response`);
  return Buffer.from(type.encode(type.create({})).finish());
}

/** The gRPC status code an OTLP/HTTP error body carries for an HTTP status. */
function grpcCode(httpStatus: number): number {
  if (httpStatus === 400) return 3; // INVALID_ARGUMENT
  if (httpStatus === 429) return 8; // RESOURCE_EXHAUSTED
  if (httpStatus === 502 || httpStatus === 503 || httpStatus === 504) return 14; // UNAVAILABLE
  return 2; // UNKNOWN
}

/** The body of a failed export: a `google.rpc.Status` in the request's encoding. */
export function encodeErrorStatus(httpStatus: number, message: string, encoding: OtlpEncoding): Buffer {
  const status = { code: grpcCode(httpStatus), message };
  if (encoding === 'json') return Buffer.from(JSON.stringify(status));
  const type = ROOT.lookupType('google.rpc.Status');
  return Buffer.from(type.encode(type.fromObject(status)).finish());
}

function toPlain(type: protobuf.Type, message: protobuf.Message): unknown {
  return normalise(type.toObject(message, TO_OBJECT), '');
}

/** Drops nulls (unset messages) and writes bytes as OTLP/JSON does: ids as lowercase hex, the rest base64. */
function normalise(value: unknown, key: string): unknown {
  if (value instanceof Uint8Array) {
    return Buffer.from(value).toString(ID_FIELDS.has(key) ? 'hex' : 'base64');
  }
  if (Array.isArray(value)) return value.map((item) => normalise(item, key));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [field, fieldValue] of Object.entries(value)) {
      if (fieldValue !== null && fieldValue !== undefined) out[field] = normalise(fieldValue, field);
    }
    return out;
  }
  return value;
}

/** OTLP/JSON ids are hex, which protobufjs would read as base64: turns them into bytes first. */
function hexIdsToBytes(value: unknown, key = ''): unknown {
  if (typeof value === 'string' && ID_FIELDS.has(key)) return hexToBytes(value, key);
  if (Array.isArray(value)) return value.map((item) => hexIdsToBytes(item, key));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([field, v]) => [field, hexIdsToBytes(v, field)]));
  }
  return value;
}

function hexToBytes(hex: string, field: string): Buffer {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) throw new Error(`${field} ${JSON.stringify(hex)} is not hex`);
  return Buffer.from(hex, 'hex');
}
