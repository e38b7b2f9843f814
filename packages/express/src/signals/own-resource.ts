import type { Attributes } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import { defaultResource, detectResources, resourceFromAttributes } from '@opentelemetry/resources';
import type { ResolvedConfig } from '../config.js';
import { RESOURCE_DETECTORS } from '../config/resource-detectors.js';

/**
 * The resource of the own providers, in increasing precedence: the SDK's
 * `telemetry.sdk.*`; what the chosen detectors find (the host, the OS, the
 * process, a `service.instance.id`); then the resource attributes (code
 * over OTEL_RESOURCE_ATTRIBUTES) and `service.name`, so that an attribute
 * the user sets wins (`merge` lets the resource merged in win).
 *
 * The instance id is the SDK detector's random UUID, which the detector
 * draws once and keeps: one per process, shared by every middleware in it.
 * Several processes of one service (cluster or pm2 workers, replicas) then
 * write distinct series (Prometheus's `instance` label) instead of
 * interleaving one cumulative counter, while two middlewares of one process
 * stay one instance, as they are. That detector is marked experimental:
 * the package is pinned, and test/resource.test.ts holds what it must do.
 *
 * `host.id` is read from a file (a command on macOS and Windows), so the
 * resource starts with it pending: every export waits for it, as the SDK's
 * processors and metric reader do, and the Prometheus endpoint's collection
 * too.
 */
export function ownResource(
  config: Pick<ResolvedConfig, 'resourceAttributes' | 'resourceDetectors' | 'serviceName'>,
): Resource {
  const attributes: Attributes = Object.assign({}, config.resourceAttributes, { 'service.name': config.serviceName });
  const detectors = config.resourceDetectors.map((name) => RESOURCE_DETECTORS[name]);
  return defaultResource().merge(detectResources({ detectors })).merge(resourceFromAttributes(attributes));
}
