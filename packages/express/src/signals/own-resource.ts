import type { Attributes } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import {
  defaultResource,
  detectResources,
  resourceFromAttributes,
  serviceInstanceIdDetector,
} from '@opentelemetry/resources';
import type { ResolvedConfig } from '../config.js';

/**
 * The resource of the own providers, in increasing precedence: the SDK's
 * `telemetry.sdk.*`; a `service.instance.id`; then the resource attributes
 * (code over OTEL_RESOURCE_ATTRIBUTES) and `service.name`, so that a
 * `service.instance.id` the user sets wins (`merge` lets the resource
 * merged in win).
 *
 * The instance id is the SDK detector's random UUID, which the detector
 * draws once and keeps: one per process, shared by every middleware in it.
 * Several processes of one service (cluster or pm2 workers, replicas) then
 * write distinct series (Prometheus's `instance` label) instead of
 * interleaving one cumulative counter, while two middlewares of one process
 * stay one instance, as they are. The detector is marked experimental:
 * the package is pinned, and test/resource.test.ts holds what it must do.
 */
export function ownResource(config: Pick<ResolvedConfig, 'resourceAttributes' | 'serviceName'>): Resource {
  const attributes: Attributes = Object.assign({}, config.resourceAttributes, { 'service.name': config.serviceName });
  return defaultResource()
    .merge(detectResources({ detectors: [serviceInstanceIdDetector] }))
    .merge(resourceFromAttributes(attributes));
}
