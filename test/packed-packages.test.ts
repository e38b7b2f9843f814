/**
 * The packages work outside this repository: `npm pack` of each holds its
 * compiled code and types, and the packed `@inferlens/express` loads (ESM
 * and `require`) and type-checks in a folder where the `@inferlens` packages
 * come from the tarballs alone. Run `npx tsc -b` first: the tarballs hold
 * `dist`.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPOSITORY_ROOT } from './support/cli.js';

const run = promisify(execFile);

const PACKAGES = ['protocol', 'express'];

interface PackageJson {
  name: string;
  version: string;
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
}

async function packageJson(folder: string): Promise<PackageJson> {
  return JSON.parse(await readFile(join(folder, 'package.json'), 'utf8')) as PackageJson;
}

/** Packs a package into `destination`; returns the tarball's path and the files it holds. */
async function pack(name: string, destination: string): Promise<{ tarball: string; files: string[] }> {
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', destination], {
    cwd: join(REPOSITORY_ROOT, 'packages', name),
  });
  const [result] = JSON.parse(stdout) as [{ filename: string; files: { path: string }[] }];
  return { tarball: join(destination, result.filename), files: result.files.map((file) => file.path) };
}

describe('the packed packages', function () {
  this.timeout(120_000);
  let folder: string;
  const packed = new Map<string, { tarball: string; files: string[] }>();

  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'inferlens-packed-'));
    for (const name of PACKAGES) packed.set(name, await pack(name, folder));
  });

  after(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  for (const name of PACKAGES) {
    it(`@inferlens/${name} holds its entry point, its types and its README, and no sources or tests`, () => {
      const { files } = packed.get(name)!;
      expect(files).to.include.members(['package.json', 'README.md', 'dist/index.js', 'dist/index.d.ts']);
      expect(
        files.filter((path) => !path.startsWith('dist/') && path !== 'package.json' && path !== 'README.md'),
      ).to.deep.equal([]);
      expect(files.filter((path) => /\.test\.|\/test\//.test(path))).to.deep.equal([]);
    });

    it(`@inferlens/${name} declares the Node.js versions of the repository`, async () => {
      const root = await packageJson(REPOSITORY_ROOT);
      expect((await packageJson(join(REPOSITORY_ROOT, 'packages', name))).engines).to.deep.equal(root.engines);
    });
  }

  it('@inferlens/express depends on the version of @inferlens/protocol packed beside it', async () => {
    const protocol = await packageJson(join(REPOSITORY_ROOT, 'packages/protocol'));
    const express = await packageJson(join(REPOSITORY_ROOT, 'packages/express'));
    expect(express.dependencies?.[protocol.name]).to.equal(protocol.version);
  });

  describe('in a fresh project', () => {
    let project: string;

    /**
     * The `@inferlens` packages are unpacked from the tarballs; every other
     * dependency is linked from this repository, so the check needs no
     * registry.
     */
    before(async () => {
      project = join(folder, 'app');
      const modules = join(project, 'node_modules');
      await mkdir(join(modules, '@inferlens'), { recursive: true });
      await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'app', private: true }));
      for (const name of await readdir(join(REPOSITORY_ROOT, 'node_modules'))) {
        if (name === '@inferlens' || name.startsWith('.')) continue;
        await symlink(join(REPOSITORY_ROOT, 'node_modules', name), join(modules, name));
      }
      for (const name of PACKAGES) {
        const target = join(modules, '@inferlens', name);
        await mkdir(target);
        await run('tar', ['-xzf', packed.get(name)!.tarball, '-C', target, '--strip-components=1']);
      }
    });

    it('imports @inferlens/express as ESM', async () => {
      const script = "const m = await import('@inferlens/express'); console.log(typeof m.inferenceTelemetry);";
      const { stdout } = await run('node', ['--input-type=module', '-e', script], { cwd: project });
      expect(stdout.trim()).to.equal('function');
    });

    it('requires @inferlens/express from CommonJS', async () => {
      const script = "console.log(typeof require('@inferlens/express').inferenceTelemetry);";
      const { stdout } = await run('node', ['--no-warnings', '-e', script], { cwd: project });
      expect(stdout.trim()).to.equal('function');
    });

    it('type-checks an app against the packed declarations', async () => {
      await writeFile(
        join(project, 'app.ts'),
        [
          "import express from 'express';",
          "import { captureErrors, captureRawBody, inferenceTelemetry, monitor } from '@inferlens/express';",
          "const telemetry = inferenceTelemetry({ serviceName: 'app' });",
          'const app = express();',
          'app.use(telemetry);',
          'app.use(express.json({ verify: captureRawBody }));',
          "app.post('/v1/models/:target', (req, res) => {",
          "  monitor(req, 'iris').log(5.1, { name: 'sepal_length', role: 'feature', dataType: 'numerical' });",
          '  res.json({ predictions: [1] });',
          '});',
          'app.use(captureErrors());',
          "process.on('SIGTERM', () => void telemetry.shutdown());",
          '',
        ].join('\n'),
      );
      const tsc = join(REPOSITORY_ROOT, 'node_modules/.bin/tsc');
      const options = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext'];
      await run(tsc, [...options, '--types', 'node', 'app.ts'], { cwd: project });
    });
  });
});
