import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IRIS_V1_BODY, IRIS_V1_PATH, IRIS_V2_BODY, IRIS_V2_PATH } from '../bodies.js';
import { jsonRequest } from '../load.js';
import type { ReportRow, Scenario, ScenarioContext, ScenarioReport, TargetCheck } from '../scenario.js';
import type { Measurement, Variant } from '../side-by-side.js';
import { measureSideBySide, progress } from '../side-by-side.js';
import type { RunningTarget, TargetSpec } from '../target-process.js';
import { freePort } from '../../test/support/ports.js';
import { startTarget } from '../target-process.js';
import { inferlensServe, KSERVE_NAME, kserveServer, mlserverServer, peerMissing } from '../targets/servers.js';

/** Issue target: `inferlens serve` answers this many times KServe's requests per second. */
const MIN_TIMES_KSERVE = 3;
/** The inferlens row the target is checked on: the server as it runs out of the box. */
const INFERLENS_DEFAULT_NAME = 'inferlens serve (default telemetry)';

/** A server of the comparison: how to start it, and the protocols it speaks. */
interface Contender {
  readonly spec: TargetSpec;
  readonly port: number;
  readonly protocols: readonly ('v1' | 'v2')[];
  /** A peer may be skipped when it cannot start; inferlens may not. */
  readonly peer: boolean;
}

const PROTOCOLS = {
  v1: { label: 'KServe V1 predict', path: IRIS_V1_PATH, body: IRIS_V1_BODY },
  v2: { label: 'Open Inference V2 infer', path: IRIS_V2_PATH, body: IRIS_V2_BODY },
} as const;

async function contenders(monitoringDir: string): Promise<{ candidates: Contender[]; skipped: ReportRow[] }> {
  const running: Contender[] = [];
  const skipped: ReportRow[] = [];
  const both = ['v1', 'v2'] as const;
  const defaultPort = await freePort();
  running.push({
    spec: inferlensServe(INFERLENS_DEFAULT_NAME, defaultPort, ['--monitoring-dir', monitoringDir]),
    port: defaultPort,
    protocols: both,
    peer: false,
  });
  const offPort = await freePort();
  running.push({
    spec: inferlensServe('inferlens serve (telemetry off)', offPort, ['--telemetry', 'off']),
    port: offPort,
    protocols: both,
    peer: false,
  });
  const kserveMissing = peerMissing('kserve');
  if (kserveMissing === undefined) {
    const port = await freePort();
    running.push({ spec: kserveServer(port), port, protocols: both, peer: true });
  } else skipped.push({ name: 'KServe', skipped: kserveMissing });
  const mlserverMissing = peerMissing('mlserver');
  if (mlserverMissing === undefined) {
    const port = await freePort();
    running.push({
      spec: mlserverServer(port, await freePort(), await freePort()),
      port,
      protocols: ['v2'],
      peer: true,
    });
  } else skipped.push({ name: 'MLServer', skipped: mlserverMissing });
  return { candidates: running, skipped };
}

function report(
  protocol: 'v1' | 'v2',
  measured: readonly Measurement[],
  skipped: readonly ReportRow[],
  unsupported: readonly string[],
): ScenarioReport {
  const kserve = measured.find((m) => m.name === KSERVE_NAME);
  const inferlens = measured.find((m) => m.name === INFERLENS_DEFAULT_NAME);
  if (inferlens === undefined) throw new Error(`no '${INFERLENS_DEFAULT_NAME}' row was measured`);
  const checks: TargetCheck[] =
    kserve === undefined
      ? []
      : [
          {
            target: `inferlens serve ≥ ${MIN_TIMES_KSERVE}× KServe's requests/s (${protocol.toUpperCase()})`,
            figure: `${(inferlens.requestsPerSecond / kserve.requestsPerSecond).toFixed(2)}×`,
            met: inferlens.requestsPerSecond >= MIN_TIMES_KSERVE * kserve.requestsPerSecond,
          },
        ];
  const { label, path, body } = PROTOCOLS[protocol];
  return {
    title: `Server throughput, iris, ${label}`,
    baseline: kserve?.name ?? inferlens.name,
    rows: [
      ...measured.map((m) => ({ name: m.name, measurement: m })),
      ...skipped,
      ...unsupported.map((name) => ({ name, skipped: `does not speak ${label}` })),
    ],
    extraColumns: [],
    checks,
    notes: [
      `Every server gets the same \`POST ${path}\` \`${JSON.stringify(body)}\`, one process (one worker) on the server core.`,
      'inferlens default telemetry: request and response records to JSON-lines files, spans and metrics made but not exported (no OTLP endpoint given), as `inferlens serve` runs out of the box; inferlens answers V2 with both outputs (label and probabilities), the peers with the label only.',
      'KServe: kserve.Model running the same model.onnx on onnxruntime; one uvicorn worker, gRPC and per-request latency logging off. MLServer: mlserver-sklearn with an equivalent scikit-learn LogisticRegression, inference in its main process (`MLSERVER_PARALLEL_WORKERS=0`: no parallel worker process on the one core).',
    ],
  };
}

async function run(context: ScenarioContext): Promise<ScenarioReport[]> {
  const monitoringDir = await mkdtemp(join(tmpdir(), 'inferlens-bench-monitoring-'));
  const started: RunningTarget[] = [];
  try {
    const { candidates, skipped } = await contenders(monitoringDir);
    const ready: Contender[] = [];
    for (const candidate of candidates) {
      try {
        started.push(await startTarget(candidate.spec, context.pinning));
        ready.push(candidate);
      } catch (error) {
        // A peer that cannot start is reported as skipped; inferlens itself must start.
        if (!candidate.peer) throw error;
        const reason = (error as Error).message.split('\n')[0];
        progress(`server: ${candidate.spec.name} skipped: ${reason}`);
        skipped.push({ name: candidate.spec.name, skipped: reason });
      }
    }
    const reports: ScenarioReport[] = [];
    for (const protocol of ['v1', 'v2'] as const) {
      const { path, body } = PROTOCOLS[protocol];
      const variants: Variant[] = ready
        .filter((c) => c.protocols.includes(protocol))
        .map((c) => ({ name: c.spec.name, load: jsonRequest(`http://127.0.0.1:${c.port}${path}`, body) }));
      const unsupported = ready.filter((c) => !c.protocols.includes(protocol)).map((c) => c.spec.name);
      const measured = await measureSideBySide(`server ${protocol}`, variants, context.settings, context.pinning);
      reports.push(report(protocol, measured, skipped, unsupported));
    }
    return reports;
  } finally {
    await Promise.all(started.map((target) => target.stop()));
    await rm(monitoringDir, { recursive: true, force: true });
  }
}

export const serverScenario: Scenario = {
  id: 'server',
  description: 'inferlens serve against KServe and MLServer, V1 and V2 iris',
  run,
};
