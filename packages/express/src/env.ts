import { accessSync, constants, statSync } from 'node:fs';
import { validateHeaderName, validateHeaderValue } from 'node:http';
import { parseKeyPairsIntoRecord } from '@opentelemetry/core';
import type { TelemetryReporter } from './reporter.js';

/** What {@link EnvReader.number} accepts beyond its minimum. */
export interface NumberBounds {
  /** @default Infinity */
  max?: number;
  /** Whether only whole numbers are accepted. @default false */
  integer?: boolean;
}

/** A whole number as the specification's integer variables are written: decimal digits, nothing else. */
const DECIMAL_DIGITS = /^\d+$/;

/**
 * The exporters that read an OTLP headers variable, by the signal each
 * sends, with the header names each lays over the variable's: those given in
 * code and, over OTEL_EXPORTER_OTLP_HEADERS, those of the signal's own
 * variable. Such a name, spelled the same, takes the place of the
 * variable's entry in that exporter.
 */
export type HeaderReaders = ReadonlyMap<string, ReadonlySet<string>>;

/** Names as a sentence lists them: `a`, `a and b`, `a, b, and c`. */
const LIST = new Intl.ListFormat('en', { type: 'conjunction' });

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

  /**
   * A finite number from `min` to `max`; with `integer`, a whole one written
   * in decimal digits, as the specification's Integer, Duration and Timeout
   * types are (`Number` would also take `1e3`, `0x10` and `1.0`).
   */
  number(name: string, min: number, { max = Infinity, integer = false }: NumberBounds = {}): number | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const value = integer && !DECIMAL_DIGITS.test(raw) ? NaN : Number(raw);
    if (Number.isFinite(value) && value >= min && value <= max) return value;
    const range = max === Infinity ? `of at least ${min}` : `from ${min} to ${max}`;
    this.#invalid(name, raw, `${integer ? 'an integer' : 'a number'} ${range}`);
    return undefined;
  }

  /**
   * A comma-separated list, each entry trimmed and lowercased (unless
   * `caseSensitive`), empty and repeated ones left out.
   */
  list(name: string, { caseSensitive = false } = {}): string[] | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const entries = nonEmptyEntries(raw).map((entry) => entry.trim());
    return [...new Set(caseSensitive ? entries : entries.map((entry) => entry.toLowerCase()))];
  }

  /** Reports, once, that part of a variable's value is ignored, and why. */
  ignored(name: string, reason: string): void {
    this.#reporter.warnOnce(`INFERLENS_BAD_ENV_${name}`, `${name}='${this.string(name)}': ${reason}`);
  }

  /** The path of a file this process can read, as the PEM files of TLS must be. */
  file(name: string): string | undefined {
    const raw = this.string(name);
    if (raw === undefined || isReadableFile(raw)) return raw;
    this.#invalid(name, raw, 'the path of a readable file');
    return undefined;
  }

  /** An http or https URL. */
  url(name: string): string | undefined {
    const raw = this.string(name);
    if (raw === undefined || isHttpUrl(raw)) return raw;
    this.#invalid(name, raw, 'an http(s) URL');
    return undefined;
  }

  /**
   * One of `choices`, compared case-insensitively. `unsupported` gives, for
   * values the specification lists but the middleware does not implement,
   * what happens instead: such a value is reported as unsupported rather
   * than as a typo.
   */
  choice<T extends string>(
    name: string,
    choices: readonly T[],
    unsupported: Readonly<Record<string, string>> = {},
  ): T | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const value = choices.find((choice) => choice === raw.toLowerCase());
    if (value !== undefined) return value;
    const instead = unsupported[raw.toLowerCase()];
    if (instead === undefined) this.#invalid(name, raw, `one of ${choices.join(', ')}`);
    else this.#reporter.warnOnce(`INFERLENS_BAD_ENV_${name}`, `${name}='${raw}' is not supported: ${instead}`);
    return undefined;
  }

  /**
   * OTLP headers, `name=value,name2=value2` percent-decoded (OTEL_EXPORTER_OTLP_HEADERS
   * and its per-signal forms), read entry by entry: an entry that is no
   * valid header is left out, so that one typo does not drop the credentials
   * beside it, and reported. The SDK's exporters (`readers`) read the
   * variable again on their own, beneath the headers they are given, so the
   * middleware cannot take an entry out of what they send: the report says
   * which entries they skip too, which they send although Node.js refuses
   * them, failing the exports of the signals it names, and which they send
   * cut at a ';' (they read an entry as a W3C Baggage member). It shows no
   * value: headers carry credentials.
   */
  headers(name: string, readers: HeaderReaders): Record<string, string> | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const out: Record<string, string> = {};
    const skipped: number[] = [];
    const unsendable: number[] = [];
    const cutBySdk: number[] = [];
    const failing = new Set<string>();
    const entries = nonEmptyEntries(raw);
    entries.forEach((entry, index) => {
      const pair = decodePair(entry);
      if (pair !== undefined && isHeader(...pair)) {
        out[pair[0]] = pair[1];
        return;
      }
      const sdkHeaders = Object.entries(parseKeyPairsIntoRecord(entry));
      // What each exporter sends of the entry: the headers it is given replace the variable's, key by key.
      const sent = [...readers].map(([signal, replaced]) => ({
        signal,
        headers: sdkHeaders.filter(([header]) => !replaced.has(header)),
      }));
      const failsFor = sent.filter(({ headers }) => headers.some(([header, value]) => !isHeader(header, value)));
      for (const { signal } of failsFor) failing.add(signal);
      if (failsFor.length > 0) unsendable.push(index + 1);
      else if (sent.some(({ headers }) => headers.length > 0)) cutBySdk.push(index + 1);
      else skipped.push(index + 1);
    });
    const of = `of ${entries.length}`;
    const problems = [
      skipped.length > 0 &&
        `entries ${skipped.join(', ')} ${of} are skipped: expected header name=value pairs, percent-encoded`,
      unsendable.length > 0 &&
        `entries ${unsendable.join(', ')} ${of} cannot be sent (no valid header name or value), yet the OTLP exporters of ${LIST.format(failing)} read this variable too and send them: their exports fail until it is fixed`,
      // The SDK reads an entry as a W3C Baggage member, whose value ends at a ';' (its properties follow).
      cutBySdk.length > 0 &&
        `entries ${cutBySdk.join(', ')} ${of} are skipped here (expected header name=value pairs, percent-encoded), yet the OTLP exporters read this variable too and send each as the header that comes before its ';'`,
    ].filter((problem) => problem !== false);
    if (problems.length > 0) {
      this.#reporter.warnOnce(
        `INFERLENS_BAD_ENV_${name}`,
        `${name}: ${problems.join('; ')} (values are not shown: headers carry credentials)`,
      );
    }
    return out;
  }

  /**
   * Resource attributes, `key=value,key2=value2` percent-decoded
   * (OTEL_RESOURCE_ATTRIBUTES). An entry that does not decode discards the
   * whole value, as the specification asks; empty entries (a trailing comma)
   * are skipped, as the JavaScript SDK skips them.
   */
  keyValues(name: string): Record<string, string> | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const out: Record<string, string> = {};
    for (const entry of nonEmptyEntries(raw)) {
      const pair = decodePair(entry);
      if (pair === undefined) {
        this.#invalid(name, raw, 'percent-encoded key=value pairs separated by commas');
        return undefined;
      }
      out[pair[0]] = pair[1];
    }
    return out;
  }

  #invalid(name: string, value: string, expected: string): void {
    this.#reporter.warnOnce(`INFERLENS_BAD_ENV_${name}`, `${name}='${value}' is ignored: expected ${expected}`);
  }
}

/** Whether `path` names a regular file this process may read. */
export function isReadableFile(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Whether a string is an absolute http or https URL, as OTLP/HTTP endpoints must be. */
export function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === 'http:' || protocol === 'https:';
}

/** The comma-separated entries of a list variable, empty ones (a trailing comma) left out. */
function nonEmptyEntries(raw: string): string[] {
  return raw.split(',').filter((entry) => entry.trim() !== '');
}

/** `key=value`, each side trimmed and percent-decoded; the value may hold `=`. Undefined when malformed. */
function decodePair(entry: string): [string, string] | undefined {
  const separator = entry.indexOf('=');
  if (separator <= 0) return undefined;
  try {
    const key = decodeURIComponent(entry.slice(0, separator).trim());
    return key === '' ? undefined : [key, decodeURIComponent(entry.slice(separator + 1).trim())];
  } catch {
    return undefined;
  }
}

/** Whether Node.js would send this header: a token for a name, no line breaks or control characters in the value. */
export function isHeader(name: string, value: string): boolean {
  try {
    validateHeaderName(name);
    validateHeaderValue(name, value);
    return true;
  } catch {
    return false;
  }
}
