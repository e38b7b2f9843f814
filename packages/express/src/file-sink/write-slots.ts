import pLimit from 'p-limit';

/**
 * Appends under way at once, over every file sink folder of the process.
 * Each holds a file descriptor open, and one export may span the files of
 * hundreds of monitors: all at once, they would pass the usual limit of
 * 1024 descriptors per process (EMFILE) that the server's sockets share.
 */
export const MAX_CONCURRENT_WRITES = 16;

/** Runs an append once fewer than {@link MAX_CONCURRENT_WRITES} others run, first come first served. */
export const withWriteSlot = pLimit(MAX_CONCURRENT_WRITES);
