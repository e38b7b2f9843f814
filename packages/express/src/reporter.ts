/**
 * Where the telemetry reports its own trouble (an exporter failing, a full
 * queue). Each kind of trouble is reported once, not per record, so a
 * collector that is down cannot flood the application's output.
 */
export interface TelemetryReporter {
  /** Reports `message` the first time `code` is seen; later calls with that code are ignored. */
  warnOnce(code: string, message: string): void;
}

/** The default reporter: a Node.js process warning, printed once per code to stderr. */
export function processWarningReporter(): TelemetryReporter {
  const seen = new Set<string>();
  return {
    warnOnce(code, message) {
      if (seen.has(code)) return;
      seen.add(code);
      process.emitWarning(message, { type: 'InferlensTelemetryWarning', code });
    },
  };
}
