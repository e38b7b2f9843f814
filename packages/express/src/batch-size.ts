import type { Protocol } from './semconv.js';
import { PROTOCOL } from './semconv.js';
import { holdsTokenIds, isJsonObject } from '@inferlens/protocol';

function firstColumnLength(columns: Record<string, unknown>): number | undefined {
  const first = Object.values(columns)[0];
  return Array.isArray(first) ? first.length : undefined;
}

/**
 * Rows in a parsed predict body: V1 `instances` (or `inputs`), the first
 * dimension of V2's first input, the number of OpenAI inputs. Undefined
 * when the body does not say.
 */
export function batchSizeOf(protocol: Protocol, body: unknown): number | undefined {
  if (!isJsonObject(body)) return undefined;
  switch (protocol) {
    case PROTOCOL.KSERVE_V1: {
      const rows = body['instances'] ?? body['inputs'];
      if (Array.isArray(rows)) return rows.length;
      return isJsonObject(rows) ? firstColumnLength(rows) : undefined;
    }
    case PROTOCOL.OPEN_INFERENCE_V2: {
      const inputs = body['inputs'];
      const first: unknown = Array.isArray(inputs) ? inputs[0] : undefined;
      const shape = isJsonObject(first) ? first['shape'] : undefined;
      // A dimension is a whole number of rows: -1 (a dynamic axis), 2.5 or 1e400 say nothing about this call.
      const rows: unknown = Array.isArray(shape) ? shape[0] : undefined;
      return Number.isSafeInteger(rows) && (rows as number) >= 0 ? (rows as number) : undefined;
    }
    case PROTOCOL.OPENAI: {
      const input = body['input'];
      if (typeof input === 'string') return 1;
      if (!Array.isArray(input)) return undefined;
      // An array of token ids is one input; an array of strings or of arrays is many.
      return holdsTokenIds(input) ? 1 : input.length;
    }
    default:
      return undefined;
  }
}
