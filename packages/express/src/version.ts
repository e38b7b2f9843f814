import { createRequire } from 'node:module';

/** This package's version, as the instrumentation scope reports it. */
export const PACKAGE_VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string })
  .version;
