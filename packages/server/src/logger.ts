/** Where the server reports model loading and shutdown; the CLI prints it. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Reports nothing: the default for a server embedded in another program. */
export const silentLogger: Logger = Object.freeze({
  info() {},
  warn() {},
  error() {},
});
