import type { ExportResult } from '@opentelemetry/core';
import { ExportResultCode } from '@opentelemetry/core';
import type { TelemetryReporter } from '../src/reporter.js';

/** A reporter that keeps every call, so a test can see that trouble was reported exactly once. */
export function recordingReporter(): TelemetryReporter & { calls: { code: string; message: string }[] } {
  const calls: { code: string; message: string }[] = [];
  return { calls, warnOnce: (code, message) => void calls.push({ code, message }) };
}

/** Resolves once `check` holds, polling; fails the test after `limitMs`, naming `what` it waited for. */
export async function until(check: () => boolean, what: string, limitMs = 2000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > limitMs) throw new Error(`${what} not seen within ${limitMs} ms`);
    await sleep(2);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export const SUCCESS: ExportResult = { code: ExportResultCode.SUCCESS };
