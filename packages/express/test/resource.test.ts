/**
 * The resource the own providers send with every signal: `service.name`,
 * OTEL_RESOURCE_ATTRIBUTES under `resourceAttributes`, and the SDK's
 * `telemetry.sdk.*`; nothing of a call, since Loki turns resource
 * attributes into labels.
 */
import { expect } from 'chai';
import { useOtlpReceiver } from '../../../test/support/use-otlp-receiver.js';
import { useEnvironment } from './environment.js';
import { useServers } from './in-memory-telemetry.js';
import { exportOneCall } from './one-call.js';

describe('the resource (own providers, over the wire)', () => {
  const servers = useServers();
  const receiver = useOtlpReceiver({ per: 'test' });
  useEnvironment(() => ({
    OTEL_SERVICE_NAME: 'iris-service',
    OTEL_RESOURCE_ATTRIBUTES: 'service.namespace=ml,deployment.environment.name=prod',
  }));

  it("is the service, the resource attributes (code over environment) and the SDK's, the same on every signal", async () => {
    await exportOneCall(servers, {
      otlp: { endpoint: receiver().url },
      resourceAttributes: { 'deployment.environment.name': 'staging' },
    });
    const received = receiver();
    const resources = { logs: received.logRecords(), traces: received.spans(), metrics: received.metrics() };
    for (const [signal, items] of Object.entries(resources)) {
      expect(items, signal).to.not.be.empty;
      for (const { resource } of items) {
        expect(resource, signal).to.have.all.keys(
          'service.name',
          'service.namespace',
          'deployment.environment.name',
          'telemetry.sdk.language',
          'telemetry.sdk.name',
          'telemetry.sdk.version',
        );
        expect(resource, signal).to.include({
          'service.name': 'iris-service',
          'service.namespace': 'ml',
          'deployment.environment.name': 'staging',
          'telemetry.sdk.language': 'nodejs',
          'telemetry.sdk.name': 'opentelemetry',
        });
      }
    }
  });
});
