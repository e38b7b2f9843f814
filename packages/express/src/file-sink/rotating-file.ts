import { mkdir, open, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { withWriteSlot } from './write-slots.js';

/** Default {@link RotatingJsonLinesFileOptions.maxFileBytes}: 10 MiB. */
export const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;
/** Default {@link RotatingJsonLinesFileOptions.maxFiles}: 10. */
export const DEFAULT_MAX_FILES = 10;

/** How a {@link RotatingJsonLinesFile} rotates and how many files it keeps. */
export interface RotatingJsonLinesFileOptions {
  /**
   * A file is rotated before a line would take it past this many bytes; a
   * single longer line gets a file of its own. Default
   * {@link DEFAULT_MAX_FILE_BYTES}.
   */
  maxFileBytes?: number;
  /**
   * Files of the prefix kept in the folder, the current one included; older
   * ones are deleted. Default {@link DEFAULT_MAX_FILES}.
   */
  maxFiles?: number;
  /**
   * The clock: a file is rotated when the UTC calendar day at an append
   * differs from the file's. Records are appended within the export delay
   * of their timestamps, so those queued across midnight go to the new
   * day's file. Default `() => new Date()`.
   */
  now?: () => Date;
}

/** Why an append stopped, and how many of its lines it did not write. */
export interface AppendFailure {
  readonly error: Error;
  readonly unwritten: number;
}

/**
 * JSON lines appended to `<dir>/<prefix>.<n>.log`, BentoML's naming
 * (`data.1.log`, `data.2.log`, ...). A new file is started when the current
 * one would pass `maxFileBytes` or the UTC day changes; at most `maxFiles`
 * are kept. A new instance starts after the highest existing number, so a
 * restart never writes into an older file.
 *
 * Several processes may write one folder (cluster or pm2 workers with the
 * same `monitoring/`): each new file is claimed by an exclusive create, so
 * no two writers share a file, and the files pruned are the least recently
 * written, so one writer's current file is not deleted by another's
 * rotation.
 *
 * Appends are serialized on one promise chain, so batches land whole and in
 * call order, and take turns with those of other files (see
 * `MAX_CONCURRENT_WRITES` in write-slots.ts). {@link append} never
 * rejects: it resolves with the error, for the exporter to report.
 */
export class RotatingJsonLinesFile {
  readonly #dir: string;
  readonly #prefix: string;
  readonly #maxFileBytes: number;
  readonly #maxFiles: number;
  readonly #now: () => Date;
  #chain: Promise<unknown> = Promise.resolve();
  /** The current file's number; undefined until the folder has been read. */
  #number: number | undefined;
  /** Bytes in the current file; 0 means it has not been created yet. */
  #size = 0;
  /** UTC day (`y-m-d`) of the current file's first write. */
  #day = '';
  readonly #onNewFile: (() => void) | undefined;
  /** Whether this instance has started a file yet: its first is not a new one for {@link #onNewFile}. */
  #started = false;

  /**
   * @param dir the folder, created on the first append
   * @param prefix the file name's prefix (`data`, `schema`)
   * @param onNewFile called once lines are in a file started after this instance's first (rotated, or
   *   the folder made again); not called by default
   */
  constructor(dir: string, prefix: string, options: RotatingJsonLinesFileOptions = {}, onNewFile?: () => void) {
    this.#dir = dir;
    this.#prefix = prefix;
    this.#onNewFile = onNewFile;
    this.#maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    this.#maxFiles = options.maxFiles ?? DEFAULT_MAX_FILES;
    this.#now = options.now ?? (() => new Date());
    if (!(this.#maxFileBytes > 0)) throw new RangeError(`maxFileBytes must be positive, got ${this.#maxFileBytes}`);
    if (!Number.isInteger(this.#maxFiles) || this.#maxFiles < 1) {
      throw new RangeError(`maxFiles must be an integer of at least 1, got ${this.#maxFiles}`);
    }
  }

  /**
   * Appends `lines` (each without a line break), after every earlier append.
   * Resolves with undefined once written, or with the error that stopped it
   * and how many of the lines it left unwritten: those of an append split
   * across files by rotation stay written up to the file that failed.
   */
  append(lines: readonly string[]): Promise<AppendFailure | undefined> {
    let written = 0;
    const onWritten = (count: number): void => {
      written += count;
    };
    const done = this.#chain
      .then(() =>
        withWriteSlot(async () => {
          try {
            await this.#write(lines, onWritten);
          } catch (error) {
            // The folder was removed under us (old logs cleaned away): made again, it takes the rest at once.
            if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
            await this.#write(lines.slice(written), onWritten);
          }
        }),
      )
      .then(
        () => undefined,
        (error: unknown) => ({
          error: error instanceof Error ? error : new Error(String(error)),
          unwritten: lines.length - written,
        }),
      );
    this.#chain = done;
    return done;
  }

  /** Resolves when every append made so far has finished. */
  async flush(): Promise<void> {
    await this.#chain;
  }

  /** Writes `lines`, telling `onWritten` how many each file took once they are in it. */
  async #write(lines: readonly string[], onWritten: (count: number) => void): Promise<void> {
    if (lines.length === 0) return;
    if (this.#number === undefined) {
      await mkdir(this.#dir, { recursive: true });
      // After the highest number, so a restart neither overwrites nor appends to an earlier run's files.
      this.#number = Math.max(0, ...(await this.#existing())) + 1;
      this.#size = 0;
    }
    const today = utcDay(this.#now());
    if (this.#size > 0 && this.#day !== today) this.#rotate();
    let chunk: string[] = [];
    let chunkBytes = 0;
    for (const line of lines) {
      const bytes = Buffer.byteLength(line) + 1;
      const used = this.#size + chunkBytes;
      if (used > 0 && used + bytes > this.#maxFileBytes) {
        await this.#appendChunk(chunk, chunkBytes, today);
        onWritten(chunk.length);
        this.#rotate();
        chunk = [];
        chunkBytes = 0;
      }
      chunk.push(line);
      chunkBytes += bytes;
    }
    await this.#appendChunk(chunk, chunkBytes, today);
    onWritten(chunk.length);
  }

  async #appendChunk(chunk: readonly string[], bytes: number, today: string): Promise<void> {
    if (chunk.length === 0) return;
    const isNew = this.#size === 0;
    try {
      if (isNew) await this.#claim();
      await appendWhole(this.#path(this.#number ?? 1), chunk.join('\n') + '\n', this.#size);
    } catch (error) {
      // The folder was removed under us: the next write makes it again and rescans the numbers.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') this.#number = undefined;
      throw error;
    }
    this.#size += bytes;
    this.#day = today;
    if (!isNew) return;
    if (this.#started) this.#onNewFile?.();
    this.#started = true;
    await this.#prune();
  }

  #rotate(): void {
    this.#number = (this.#number ?? 0) + 1;
    this.#size = 0;
  }

  /**
   * Creates the file the current number names, or moves past the highest
   * number when it exists: another writer of the folder has it.
   */
  async #claim(): Promise<void> {
    for (;;) {
      const number = this.#number ?? 1;
      try {
        await (await open(this.#path(number), 'wx')).close();
        this.#number = number;
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        this.#number = Math.max(number, ...(await this.#existing())) + 1;
      }
    }
  }

  /**
   * Deletes the least recently written files beyond `maxFiles` (by number
   * when written in the same millisecond), never the current one; listing
   * the folder each time heals after a failed delete.
   */
  async #prune(): Promise<void> {
    const files = await Promise.all(
      (await this.#existing()).map(async (n) => ({
        n,
        written: (await stat(this.#path(n)).catch(() => undefined))?.mtimeMs ?? 0,
      })),
    );
    files.sort((a, b) => a.written - b.written || a.n - b.n);
    for (const { n } of files.slice(0, Math.max(0, files.length - this.#maxFiles))) {
      if (n === this.#number) continue;
      await unlink(this.#path(n)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    }
  }

  /**
   * The numbers of the folder's files, as this class names them: without
   * leading zeros (`data.01.log` is not file 1, whose deletion would miss
   * it) and of at most 15 digits, which a double holds exactly, so the
   * next number is always one more (past 2^53, `n + 1` may equal `n`).
   */
  async #existing(): Promise<number[]> {
    const prefix = this.#prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pattern = new RegExp(`^${prefix}\\.([1-9]\\d{0,14})\\.log$`);
    const numbers: number[] = [];
    for (const name of await readdir(this.#dir)) {
      const match = pattern.exec(name);
      if (match) numbers.push(Number(match[1]));
    }
    return numbers;
  }

  #path(n: number): string {
    return join(this.#dir, `${this.#prefix}.${n}.log`);
  }
}

/**
 * Appends `text` whole or not at all to a file of `size` bytes. A write cut
 * short (a disk that fills, a file size limit) leaves part of a line;
 * cutting the file back to `size` keeps it to whole lines, so the next
 * append, once there is room, does not run on from a broken line. Only
 * this writer appends to its file (each is claimed), so the size it counts
 * is the file's.
 */
async function appendWhole(path: string, text: string, size: number): Promise<void> {
  const handle = await open(path, 'a');
  try {
    await handle.appendFile(text);
  } catch (error) {
    // Were the cut to fail too, the write's own error is still the one to report.
    await handle.truncate(size).catch(() => undefined);
    throw error;
  } finally {
    await handle.close();
  }
}

/** The UTC calendar day, as the records' UTC timestamps count days (not the server's local day). */
function utcDay(date: Date): string {
  return `${date.getUTCFullYear()}-${date.getUTCMonth() + 1}-${date.getUTCDate()}`;
}
