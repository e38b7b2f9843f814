import type { Context, Span } from '@opentelemetry/api';
import { trace } from '@opentelemetry/api';

/**
 * The key a context holds its span under. The API makes its keys with
 * `Symbol.for`, so that every copy of it in an application reads the
 * others' contexts: the same description gives the same key in each.
 */
const SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN');

/**
 * `trace.setSpan(parent, span)`, made only if something other than the span
 * is read from it. The records of a call are emitted in its span's context;
 * the middleware's own logger reads only the span from it, so for them no
 * context is made at all. Made for every call, that context (a copy of the
 * parent's map, and the closures of its methods) is what the young
 * generation's collector went on promoting once the queued records and
 * spans were bytes (see bench/README.md).
 */
export class ContextWithSpan implements Context {
  readonly #parent: Context;
  readonly #span: Span;
  #context: Context | undefined;

  constructor(parent: Context, span: Span) {
    this.#parent = parent;
    this.#span = span;
  }

  getValue(key: symbol): unknown {
    return key === SPAN_KEY ? this.#span : this.#made().getValue(key);
  }

  setValue(key: symbol, value: unknown): Context {
    return this.#made().setValue(key, value);
  }

  deleteValue(key: symbol): Context {
    return this.#made().deleteValue(key);
  }

  #made(): Context {
    return (this.#context ??= trace.setSpan(this.#parent, this.#span));
  }
}
