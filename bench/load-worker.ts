/**
 * The load generator's own process: reads one {@link LoadSpec} as JSON on
 * stdin, runs it, and prints one {@link LoadResult} as JSON on stdout. A
 * spec with `ratePerSecond` runs open-loop at that rate (see open-loop.ts);
 * one without runs autocannon's closed loop (see closed-loop.ts), as fast
 * as the server answers.
 */
import { text } from 'node:stream/consumers';
import { runClosedLoop } from './closed-loop.js';
import type { LoadSpec } from './load.js';
import { loadResultOf } from './load-result.js';
import { runOpenLoop } from './open-loop.js';

const spec = JSON.parse(await text(process.stdin)) as LoadSpec;
const counted =
  spec.ratePerSecond === undefined ? await runClosedLoop(spec) : await runOpenLoop(spec, spec.ratePerSecond);
process.stdout.write(JSON.stringify(loadResultOf(counted)));
