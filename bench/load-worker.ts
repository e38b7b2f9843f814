/**
 * The load generator's own process: reads one {@link LoadSpec} as JSON on
 * stdin, runs it, and prints one {@link LoadResult} as JSON on stdout. A
 * spec with `ratePerSecond` runs open-loop at that rate (see open-loop.ts);
 * one without runs autocannon's closed loop (see closed-loop.ts), as fast
 * as the server answers.
 *
 * autocannon is loaded only for a closed loop. Loaded in an open-loop run,
 * where it is never called, it more than doubled the generator's own p99
 * against the bare app (2.1 ms to 4–6 ms): the generator's heap grew, it
 * ran mark-compacts of several milliseconds during the run instead of
 * scavenges alone, and each pause showed in the latency of every request
 * due meanwhile.
 */
import { text } from 'node:stream/consumers';
import type { LoadSpec } from './load.js';
import { loadResultOf } from './load-result.js';
import { runOpenLoop } from './open-loop.js';

const spec = JSON.parse(await text(process.stdin)) as LoadSpec;
const counted =
  spec.ratePerSecond === undefined
    ? await (await import('./closed-loop.js')).runClosedLoop(spec)
    : await runOpenLoop(spec, spec.ratePerSecond);
process.stdout.write(JSON.stringify(loadResultOf(counted)));
