import { createRequire } from 'node:module';

/** This package's version, as `GET /v2` reports it. */
export const SERVER_VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string })
  .version;

/** The server's name in `GET /v2`. */
export const SERVER_NAME = 'inferlens';
