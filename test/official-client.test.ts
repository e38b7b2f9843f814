import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { serveForClient } from './support/client-check.js';

/**
 * Runs the official client checks in test/clients/ against the demo models'
 * server: tritonclient_check.py drives it with tritonclient's HTTP client (Open
 * Inference), kserve_check.py with the KServe SDK's InferenceRESTClient (KServe
 * V1 and V2). How the interpreter is found, and when a check is skipped, is
 * told in support/client-check.ts.
 */

const tritonclientCheck = fileURLToPath(new URL('clients/tritonclient_check.py', import.meta.url));
const kserveCheck = fileURLToPath(new URL('clients/kserve_check.py', import.meta.url));

/** The iris model's metadata, as both clients read it. */
const IRIS_METADATA = {
  inputs: { input: ['FP32', [-1, 4]] },
  outputs: { label: ['INT64', [-1]], probabilities: ['FP32', [-1, 3]] },
};

interface TritonclientSummary {
  ok: boolean;
  client: string;
  server: { name: string; version: string; extensions: string[] };
  model: { inputs: Record<string, [string, number[]]>; outputs: Record<string, [string, number[]]> };
  labels: number[];
  infers: string[];
  wrong_shape: string;
}

describe('official Open Inference client (tritonclient HTTP)', function () {
  this.timeout(120_000);
  const check = serveForClient('tritonclient.http');

  it('reads metadata and runs inference with JSON and binary tensors', async () => {
    // tritonclient takes host:port.
    const summary = (await check.run(tritonclientCheck, (url) => new URL(url).host)) as TritonclientSummary;
    expect(summary.ok).to.equal(true);
    expect(summary.client).to.match(/^tritonclient \d+\.\d+/);
    expect(summary.server.name).to.equal('inferlens');
    expect(summary.server.extensions).to.include('binary_tensor_data');
    expect(summary.model).to.deep.equal(IRIS_METADATA);
    expect(summary.labels).to.deep.equal([1, 1]);
    expect(summary.infers).to.deep.equal(['json', 'binary', 'mixed', 'classification']);
    expect(summary.wrong_shape).to.include("'input'");
  });
});

interface KserveSummary {
  ok: boolean;
  client: string;
  models: Record<string, { inputs: Record<string, [string, number[]]>; outputs: Record<string, [string, number[]]> }>;
  v1_predictions: number[];
  v1_embedding_rows: number;
  v2_labels: number[];
  v2_embedding_shape: number[];
  v2_infers: string[];
  /** Each refused call: the status and message the SDK surfaced, which the check found equal to the server's. */
  errors: Record<string, [number, string]>;
}

describe('official KServe client (kserve SDK InferenceRESTClient)', function () {
  this.timeout(120_000);
  const check = serveForClient('kserve');

  it('checks health, predicts over V1, infers over V2 with its own types, and surfaces errors', async () => {
    const summary = (await check.run(kserveCheck, (url) => url)) as KserveSummary;
    expect(summary.ok).to.equal(true);
    expect(summary.client).to.match(/^kserve \d+\.\d+/);
    expect(summary.models).to.deep.equal({
      iris: IRIS_METADATA,
      'demo-embedding': { inputs: { text: ['BYTES', [-1]] }, outputs: { embedding: ['FP32', [-1, 32]] } },
    });
    expect(summary.v1_predictions).to.deep.equal([1, 1]);
    expect(summary.v1_embedding_rows).to.equal(2);
    expect(summary.v2_labels).to.deep.equal([1, 1]);
    expect(summary.v2_embedding_shape).to.deep.equal([2, 32]);
    expect(summary.v2_infers).to.deep.equal([
      'JSON in, JSON out',
      'JSON in, binary out',
      'binary in, JSON out',
      'binary in, binary out',
      'dict',
      'texts, JSON',
      'texts, binary',
    ]);
    const statuses = Object.fromEntries(Object.entries(summary.errors).map(([call, [status]]) => [call, status]));
    expect(statuses).to.deep.equal({
      v2_unknown_model: 404,
      v2_wrong_shape: 400,
      v1_unknown_model: 404,
      v1_model_ready_unknown: 404,
      v1_explain: 501,
    });
    for (const call of ['v2_unknown_model', 'v1_unknown_model', 'v1_model_ready_unknown']) {
      expect(summary.errors[call][1]).to.include("'no-such-model'");
    }
    expect(summary.errors['v2_wrong_shape'][1]).to.include("'input'");
    expect(summary.errors['v1_explain'][1]).to.include("model 'iris' has no explainer");
  });
});
