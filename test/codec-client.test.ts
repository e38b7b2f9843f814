import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { ORT_TYPE_BY_DATATYPE } from '../packages/server/src/runtime/datatype-map.js';
import { identityModel } from '../scripts/onnx/graph.js';
import { serveForClient } from './support/client-check.js';
import { serveModels } from './support/server.js';

/**
 * Runs test/clients/codec_check.py, which compares the server's tensor codecs
 * with numpy, ml_dtypes and tritonclient's own reading and writing, against
 * an Identity model per datatype. Skipped without a Python that imports
 * tritonclient (see support/client-check.ts).
 */

const codecCheck = fileURLToPath(new URL('clients/codec_check.py', import.meta.url));

interface CodecSummary {
  ok: boolean;
  binary_round_trips: number;
  json_answers: number;
  json_non_finite: string[];
  json_rounded: number;
  fp32_written: number;
  bytes_refused: Record<string, number>;
}

describe('tensor codecs against numpy and tritonclient', function () {
  this.timeout(120_000);
  const check = serveForClient('tritonclient.http', (logger) =>
    serveModels(
      Object.entries(ORT_TYPE_BY_DATATYPE).map(([datatype, onnxType]) => ({
        name: `identity_${datatype.toLowerCase()}`,
        versions: { '1': identityModel(onnxType, ['n']) },
      })),
      { logger },
    ),
  );

  it('carries edge values bit for bit, NaN and Infinity in JSON, rounds JSON halves as astype, prints FP32 shortest, refuses bad BYTES', async () => {
    // tritonclient takes host:port.
    const summary = (await check.run(codecCheck, (url) => new URL(url).host)) as CodecSummary;
    expect(summary.ok).to.equal(true);
    expect(summary.binary_round_trips).to.equal(Object.keys(ORT_TYPE_BY_DATATYPE).length);
    expect(summary.json_answers).to.equal(Object.keys(ORT_TYPE_BY_DATATYPE).length);
    expect(summary.json_non_finite).to.deep.equal(['FP16', 'BF16', 'FP32', 'FP64']);
    expect(summary.json_rounded).to.be.greaterThan(0);
    expect(summary.fp32_written).to.be.greaterThan(0);
    expect(summary.bytes_refused).to.deep.equal({ nul: 400, not_utf8: 400 });
  });
});
