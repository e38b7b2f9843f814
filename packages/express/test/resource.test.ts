/**
 * The resource the own providers send with every signal: `service.name`,
 * OTEL_RESOURCE_ATTRIBUTES under `resourceAttributes`, what the resource
 * detectors find (the host, the OS, the process, a `service.instance.id`
 * unless the attributes set one), and the SDK's `telemetry.sdk.*`; nothing
 * of a call, since Loki turns resource attributes into labels.
 */
import { execFile } from 'node:child_process';
import { hostname } from 'node:os';
import { promisify } from 'node:util';
import { detectResources, hostDetector, osDetector, processDetector } from '@opentelemetry/resources';
import { expect } from 'chai';
import { useOtlpReceiver } from '../../../test/support/use-otlp-receiver.js';
import type { OtlpReceiver } from '../../../test/support/otlp-receiver.js';
import { useEnvironment } from './environment.js';
import { useServers } from './in-memory-telemetry.js';
import { exportOneCall } from './one-call.js';

const execFileAsync = promisify(execFile);
/** The middleware, for a child process to import. */
const MIDDLEWARE_MODULE = new URL('../src/middleware.ts', import.meta.url).href;
/** A random (version 4) UUID, as the semantic conventions recommend for `service.instance.id`. */
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const INSTANCE_ID = 'service.instance.id';
const TELEMETRY_SDK = ['telemetry.sdk.language', 'telemetry.sdk.name', 'telemetry.sdk.version'];

/** What the SDK's host, OS and process detectors find in this process, `host.id` (read from a file) included. */
async function detectedHere(): Promise<Record<string, unknown>> {
  const detected = detectResources({ detectors: [hostDetector, osDetector, processDetector] });
  await detected.waitForAsyncAttributes?.();
  return detected.attributes;
}

/** The one resource every signal `receiver` took carries. */
function resourceOf(receiver: OtlpReceiver): Record<string, unknown> {
  const [first, ...others] = Object.values(resourcesBySignal(receiver)).flat();
  for (const resource of others) expect(resource).to.deep.equal(first);
  return first;
}

/** The resources of everything `receiver` took, by signal; fails if a signal sent nothing. */
function resourcesBySignal(receiver: OtlpReceiver): Record<string, Record<string, unknown>[]> {
  const items = { logs: receiver.logRecords(), traces: receiver.spans(), metrics: receiver.metrics() };
  return Object.fromEntries(
    Object.entries(items).map(([signal, received]) => {
      expect(received, signal).to.not.be.empty;
      return [signal, received.map(({ resource }) => resource)];
    }),
  );
}

/** The one `service.instance.id` every signal `receiver` took carries. */
function instanceIdOf(receiver: OtlpReceiver): unknown {
  const ids = new Set(
    Object.values(resourcesBySignal(receiver)).flatMap((resources) => resources.map((r) => r[INSTANCE_ID])),
  );
  expect(ids.size, [...ids].join(', ')).to.equal(1);
  return [...ids][0];
}

/**
 * Builds a middleware with its own providers in a child Node, exporting to
 * `endpoint`, and shuts it down: its metrics (the export queues' own) go out
 * with its resource, without a call.
 */
async function exportFromAnotherProcess(endpoint: string): Promise<void> {
  const script = `
    const { inferenceTelemetry } = await import(${JSON.stringify(MIDDLEWARE_MODULE)});
    const telemetry = inferenceTelemetry({ otlp: { endpoint: process.argv[1] }, fileSink: { enabled: false } });
    await telemetry.shutdown();`;
  await execFileAsync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, endpoint]);
}

describe('the resource (own providers, over the wire)', () => {
  const servers = useServers();
  const receiver = useOtlpReceiver({ per: 'test' });

  describe('with the service and resource attributes in the environment', () => {
    useEnvironment(() => ({
      OTEL_SERVICE_NAME: 'iris-service',
      OTEL_RESOURCE_ATTRIBUTES: 'service.namespace=ml,deployment.environment.name=prod',
    }));

    it("is the service, the resource attributes (code over environment), the host's, the OS's, the process's and the SDK's, the same on every signal", async () => {
      await exportOneCall(servers, {
        otlp: { endpoint: receiver().url },
        resourceAttributes: { 'deployment.environment.name': 'staging' },
      });
      const detected = await detectedHere();
      for (const [signal, resources] of Object.entries(resourcesBySignal(receiver()))) {
        for (const resource of resources) {
          expect(resource, signal).to.have.all.keys(
            'service.name',
            'service.namespace',
            'service.instance.id',
            'deployment.environment.name',
            ...TELEMETRY_SDK,
            ...Object.keys(detected),
          );
          expect(resource, signal).to.deep.include(detected);
          expect(resource, signal).to.include({ 'host.name': hostname(), 'process.pid': process.pid });
          expect(resource, signal).to.include({
            'service.name': 'iris-service',
            'service.namespace': 'ml',
            'deployment.environment.name': 'staging',
            'telemetry.sdk.language': 'nodejs',
            'telemetry.sdk.name': 'opentelemetry',
          });
          expect(resource[INSTANCE_ID], signal).to.match(UUID_V4);
        }
      }
    });
  });

  describe('with OTEL_NODE_RESOURCE_DETECTORS=none', () => {
    useEnvironment(() => ({ OTEL_NODE_RESOURCE_DETECTORS: 'none', OTEL_RESOURCE_ATTRIBUTES: 'service.namespace=ml' }));

    it('holds only the service, the resource attributes and the SDK', async () => {
      await exportOneCall(servers, { otlp: { endpoint: receiver().url } });
      expect(resourceOf(receiver())).to.have.all.keys('service.name', 'service.namespace', ...TELEMETRY_SDK);
    });

    it('gives way to resourceDetectors', async () => {
      await exportOneCall(servers, { otlp: { endpoint: receiver().url }, resourceDetectors: ['host'] });
      const resource = resourceOf(receiver());
      expect(resource).to.include({ 'host.name': hostname(), 'service.namespace': 'ml' });
      expect(Object.keys(resource).filter((key) => /^(process|os)\.|^service\.instance/.test(key))).to.deep.equal([]);
    });
  });

  describe('service.instance.id', () => {
    it('is one per process: two middlewares in it share it, another process has another', async () => {
      await exportOneCall(servers, { otlp: { endpoint: receiver().url } });
      await exportOneCall(servers, { otlp: { endpoint: receiver().url } });
      const ours = instanceIdOf(receiver());
      expect(ours).to.match(UUID_V4);

      await exportFromAnotherProcess(receiver().url);
      const ids = new Set(
        receiver()
          .metrics()
          .map(({ resource }) => resource[INSTANCE_ID]),
      );
      expect(ids).to.have.property('size', 2);
      for (const id of ids) expect(id).to.match(UUID_V4);
    });

    describe('set in OTEL_RESOURCE_ATTRIBUTES', () => {
      useEnvironment(() => ({ OTEL_RESOURCE_ATTRIBUTES: 'service.instance.id=pod-a' }));

      it('is the one sent', async () => {
        await exportOneCall(servers, { otlp: { endpoint: receiver().url } });
        expect(instanceIdOf(receiver())).to.equal('pod-a');
      });

      it('gives way to one in resourceAttributes', async () => {
        await exportOneCall(servers, {
          otlp: { endpoint: receiver().url },
          resourceAttributes: { [INSTANCE_ID]: 'worker-2' },
        });
        expect(instanceIdOf(receiver())).to.equal('worker-2');
      });
    });
  });
});
