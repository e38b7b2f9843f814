/**
 * Preloaded into a load worker by its test (`NODE_OPTIONS=--import …`): as
 * the process exits, writes `true` or `false` to the file
 * {@link PROBE_FILE_VARIABLE} names, whether autocannon was loaded.
 * autocannon is CommonJS, so once loaded it is in the module cache, which
 * `require.cache` is.
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export const PROBE_FILE_VARIABLE = 'INFERLENS_AUTOCANNON_PROBE_FILE';

const probeFile = process.env[PROBE_FILE_VARIABLE];
const moduleCache = createRequire(import.meta.url).cache;

if (probeFile !== undefined)
  process.once('exit', () => {
    const loaded = Object.keys(moduleCache).some((path) => path.includes('/node_modules/autocannon/'));
    writeFileSync(probeFile, String(loaded));
  });
