/**
 * Appends under way at once, over every file sink folder of the process.
 * Each holds a file descriptor open, and one export may span the files of
 * hundreds of monitors: all at once, they would pass the usual limit of
 * 1024 descriptors per process (EMFILE) that the server's sockets share.
 */
export const MAX_CONCURRENT_WRITES = 16;

let running = 0;
const waiting: (() => void)[] = [];

/** Runs `work` once fewer than {@link MAX_CONCURRENT_WRITES} others run, first come first served. */
export async function withWriteSlot<T>(work: () => Promise<T>): Promise<T> {
  if (running < MAX_CONCURRENT_WRITES) running++;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  try {
    return await work();
  } finally {
    // The slot passes straight to the next in line, so the count stays as it is.
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}
