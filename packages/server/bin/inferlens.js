#!/usr/bin/env node
// The `inferlens` command. npm links a command only to a file that exists when it installs, and a fresh
// clone is installed before it is built, so the command is this file, which runs the built CLI.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  console.error('inferlens: the CLI is not built yet; run `npm run build` in the repository first');
  process.exit(1);
}
await import(cli.href);
