import type { TensorMetadata } from '@inferlens/protocol';
import type { BannerServer } from './cli-banner.js';

/** A placeholder element of each datatype's JSON form. */
function placeholder(datatype: TensorMetadata['datatype']): number | boolean | string {
  if (datatype === 'BOOL') return false;
  if (datatype === 'BYTES') return 'text';
  return 0;
}

/** One row for an input: its shape past the batch dimension, dynamic dimensions as 1. */
function exampleRow(input: TensorMetadata): unknown {
  const dims = input.shape.slice(1).map((dim) => (dim < 0 ? 1 : dim));
  let row: unknown = placeholder(input.datatype);
  for (const dim of dims.reverse()) row = Array.from({ length: dim }, () => row);
  return row;
}

/**
 * A curl command that predicts one instance on the first ready model with a
 * single input, as the version that serves calls without one takes it, so
 * the banner shows a request that works as printed.
 */
export function exampleRequest(server: BannerServer): string | undefined {
  for (const model of server.repository.models()) {
    const inputs = server.repository.find(model.name).model?.signature.inputs;
    if (inputs?.length !== 1) continue;
    const body = JSON.stringify({ instances: [exampleRow(inputs[0])] });
    return `curl -s -X POST ${server.url}/v1/models/${model.name}:predict -H 'Content-Type: application/json' -d '${body}'`;
  }
  return undefined;
}
