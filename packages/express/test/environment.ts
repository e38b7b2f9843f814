/**
 * Sets `variables` in `process.env` for each test and puts back what was
 * there after it: the middleware reads the real environment when built.
 */
export function useEnvironment(variables: () => NodeJS.ProcessEnv): void {
  let saved: NodeJS.ProcessEnv = {};
  beforeEach(() => {
    const set = variables();
    saved = Object.fromEntries(Object.keys(set).map((name) => [name, process.env[name]]));
    Object.assign(process.env, set);
  });
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
}
