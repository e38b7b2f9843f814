import type { MeterProvider } from '@opentelemetry/api';
import { metrics } from '@opentelemetry/api';
import type { Protocol } from '../semconv.js';
import type { CallMeasurement, CallMetrics } from './call-metrics.js';
import { InstrumentCallMetrics } from './instrument-metrics.js';

/**
 * The call metrics of whichever meter provider is registered with the API
 * when a call starts or ends. The API has no proxy meter provider, as it
 * has for tracers and loggers: a meter taken once, when the middleware is
 * built before the application registers its provider (NodeSDK started
 * later), would record into a no-op for good while spans and records still
 * arrive. Looking the provider up is one read of the API's global, as a
 * proxy tracer does on each span.
 */
export class GlobalCallMetrics implements CallMetrics {
  readonly #scope: { name: string; version: string };
  #provider: MeterProvider;
  #metrics: InstrumentCallMetrics;
  /**
   * Calls in progress per protocol, carried over to a newly registered
   * provider: their ends are counted there, which would otherwise read
   * below zero for good.
   */
  readonly #inProgress = new Map<Protocol, number>();

  constructor(scope: { name: string; version: string }) {
    this.#scope = scope;
    this.#provider = metrics.getMeterProvider();
    this.#metrics = this.#instruments();
  }

  #instruments(): InstrumentCallMetrics {
    return new InstrumentCallMetrics(this.#provider.getMeter(this.#scope.name, this.#scope.version));
  }

  #current(): InstrumentCallMetrics {
    const provider = metrics.getMeterProvider();
    if (provider !== this.#provider) {
      this.#provider = provider;
      this.#metrics = this.#instruments();
      for (const [protocol, level] of this.#inProgress) {
        for (let call = 0; call < level; call++) this.#metrics.started(protocol);
      }
    }
    return this.#metrics;
  }

  started(protocol: Protocol): void {
    this.#current().started(protocol);
    this.#inProgress.set(protocol, (this.#inProgress.get(protocol) ?? 0) + 1);
  }

  ended(measurement: CallMeasurement): void {
    this.#current().ended(measurement);
    const { protocol } = measurement;
    this.#inProgress.set(protocol, (this.#inProgress.get(protocol) ?? 0) - 1);
  }

  telemetryError(): void {
    this.#current().telemetryError();
  }
}
