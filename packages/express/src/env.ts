import type { TelemetryReporter } from './reporter.js';

/** What {@link EnvReader.number} accepts beyond its minimum. */
export interface NumberBounds {
  /** @default Infinity */
  max?: number;
  /** Whether only whole numbers are accepted. @default false */
  integer?: boolean;
}

/**
 * Reads OpenTelemetry's environment variables as the specification says: an
 * empty value is unset, and a value that does not parse is reported once and
 * ignored, so a typo never stops the application.
 */
export class EnvReader {
  readonly #env: NodeJS.ProcessEnv;
  readonly #reporter: TelemetryReporter;

  constructor(env: NodeJS.ProcessEnv, reporter: TelemetryReporter) {
    this.#env = env;
    this.#reporter = reporter;
  }

  string(name: string): string | undefined {
    const value = this.#env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  /** A finite number from `min` to `max`; with `integer`, a whole one. */
  number(name: string, min: number, { max = Infinity, integer = false }: NumberBounds = {}): number | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (Number.isFinite(value) && value >= min && value <= max && (!integer || Number.isInteger(value))) return value;
    const range = max === Infinity ? `of at least ${min}` : `from ${min} to ${max}`;
    this.#invalid(name, raw, `${integer ? 'an integer' : 'a number'} ${range}`);
    return undefined;
  }

  /** An http or https URL. */
  url(name: string): string | undefined {
    const raw = this.string(name);
    if (raw === undefined || isHttpUrl(raw)) return raw;
    this.#invalid(name, raw, 'an http(s) URL');
    return undefined;
  }

  /** One of `choices`, compared case-insensitively. */
  choice<T extends string>(name: string, choices: readonly T[]): T | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const value = choices.find((choice) => choice === raw.toLowerCase());
    if (value !== undefined) return value;
    this.#invalid(name, raw, `one of ${choices.join(', ')}`);
    return undefined;
  }

  /** `key=value,key2=value2`, values percent-decoded (OTEL_EXPORTER_OTLP_HEADERS, OTEL_RESOURCE_ATTRIBUTES). */
  keyValues(name: string): Record<string, string> | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const out: Record<string, string> = {};
    for (const pair of raw.split(',')) {
      const separator = pair.indexOf('=');
      if (separator <= 0) {
        this.#invalid(name, raw, 'key=value pairs separated by commas');
        return undefined;
      }
      try {
        out[decodeURIComponent(pair.slice(0, separator).trim())] = decodeURIComponent(pair.slice(separator + 1).trim());
      } catch {
        this.#invalid(name, raw, 'percent-encoded key=value pairs');
        return undefined;
      }
    }
    return out;
  }

  #invalid(name: string, value: string, expected: string): void {
    this.#reporter.warnOnce(`INFERLENS_BAD_ENV_${name}`, `${name}='${value}' is ignored: expected ${expected}`);
  }
}

/** Whether a string is an absolute http or https URL, as OTLP/HTTP endpoints must be. */
export function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === 'http:' || protocol === 'https:';
}
