/** The telemetry's process warnings (codes `INFERLENS_*`), collected while a test runs. */
export interface CollectedWarnings {
  /** Each warning's code, in the order emitted. */
  readonly codes: string[];
  /** Each warning's message, by code. */
  readonly messages: Map<string, string>;
  stop(): void;
}

/** Starts collecting the telemetry's process warnings; `stop` ends it. */
export function collectWarnings(): CollectedWarnings {
  const codes: string[] = [];
  const messages = new Map<string, string>();
  const listener = (warning: Error & { code?: string }): void => {
    if (typeof warning.code !== 'string' || !warning.code.startsWith('INFERLENS_')) return;
    codes.push(warning.code);
    messages.set(warning.code, warning.message);
  };
  process.on('warning', listener);
  return { codes, messages, stop: () => process.off('warning', listener) };
}
