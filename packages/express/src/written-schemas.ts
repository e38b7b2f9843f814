import type { LoggedColumn } from './monitor.js';

/**
 * The column sets remembered per monitor, so that a handler logging many
 * different sets cannot grow memory without bound; a set past them has its
 * schema written on every call.
 */
export const MAX_SCHEMAS_PER_MONITOR = 64;

/**
 * A column set's identity: each column's name, role and type, sorted by
 * name (a monitor's column names are unique), so the order they were logged
 * in does not matter.
 */
function columnSignature(columns: readonly LoggedColumn[]): string {
  const described = columns.map(({ name, role, dataType }) => [name, role, dataType]);
  described.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(described);
}

/**
 * The column sets whose schema record each monitor has written. The monitor
 * records ask it, per row, whether the row's schema is due; the export side
 * tells it when a monitor's schema may be missing where its rows are (a
 * schema record lost, a new file of rows), so that the monitor's next row
 * writes its schema again. Nothing is looked at per call beyond the lookup
 * the rows already made.
 */
export class WrittenSchemas {
  /**
   * The column signatures written per monitor: a handler that logs an
   * optional column, or its columns in varying order, writes each set's
   * schema once rather than whenever the set differs from the last call's.
   */
  readonly #written = new Map<string, Set<string>>();

  /** Whether the monitor's schema is due: its column set is not among those written (and remembered) yet; marks it written. */
  due(monitor: string, columns: readonly LoggedColumn[]): boolean {
    let written = this.#written.get(monitor);
    if (written === undefined) {
      written = new Set();
      this.#written.set(monitor, written);
    }
    const signature = columnSignature(columns);
    if (written.has(signature)) return false;
    if (written.size < MAX_SCHEMAS_PER_MONITOR) written.add(signature);
    return true;
  }

  /** Makes every schema of the monitor due again, at its next row. */
  forget(monitor: string): void {
    this.#written.delete(monitor);
  }
}
