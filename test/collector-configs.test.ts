/** Every shipped collector overlay passes the built collector's own `validate` command. */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../', import.meta.url));
const collector = join(root, '.cache/collector/otelcol-inferlens');
const configs = join(root, 'collector-config');
const overlays = readdirSync(join(configs, 'overlays')).filter((name) => name.endsWith('.yaml'));

describe('collector configs', function () {
  this.timeout(60_000);

  before(function () {
    if (!existsSync(collector)) {
      console.log('      skipped: no collector binary; build it with collector-config/build-collector.sh');
      this.skip();
    }
  });

  for (const overlay of overlays) {
    it(`base + ${overlay} passes validate`, async () => {
      const { stderr } = await run(collector, [
        'validate',
        '--config',
        join(configs, 'base.yaml'),
        '--config',
        join(configs, 'overlays', overlay),
      ]);
      expect(stderr).to.not.match(/error/i);
    });
  }
});
