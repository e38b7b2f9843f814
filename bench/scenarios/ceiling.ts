import { IRIS_V1_BODY, IRIS_V1_PATH } from '../bodies.js';
import { jsonRequest } from '../load.js';
import type { Scenario, ScenarioContext, ScenarioReport } from '../scenario.js';
import { SEND_LAG_COLUMN, SEND_LAG_NOTE, measuredRows, withTargets } from '../scenario.js';
import { measureSideBySide } from '../side-by-side.js';
import { freePort } from '../../test/support/ports.js';
import { trivialServer } from '../targets/servers.js';

/**
 * The rate the open loop is checked at: about what the middleware scenario
 * offers its apps on these machines (half the bare app's 9,000–10,000 req/s).
 */
const OPEN_LOOP_RATE = 5_000;

async function run(context: ScenarioContext): Promise<ScenarioReport[]> {
  const port = await freePort();
  const spec = trivialServer(port);
  const load = jsonRequest(`http://127.0.0.1:${port}${IRIS_V1_PATH}`, IRIS_V1_BODY);
  const openLoop = `${spec.name}, open loop at ${OPEN_LOOP_RATE} req/s`;
  const [closed, open] = await withTargets([spec], context, async () => [
    ...(await measureSideBySide('ceiling', [{ name: spec.name, load }], context.settings, context.pinning)),
    ...(await measureSideBySide(
      'ceiling',
      [{ name: openLoop, load }],
      context.settings,
      context.pinning,
      OPEN_LOOP_RATE,
    )),
  ]);
  return [
    {
      title: 'Load generator ceiling',
      baseline: spec.name,
      ...measuredRows(
        [closed, open].map((measurement) => ({ measurement })),
        SEND_LAG_COLUMN,
      ),
      checks: [],
      notes: [
        'autocannon on the load core against a server that answers at once on the server core: the most this setup can measure. Figures well below it are the server’s, not the generator’s.',
        `The open loop (the generator of the middleware scenario’s fixed-load table) against the same server at ${OPEN_LOOP_RATE} req/s: its latencies are the floor of that table, what the generator, the loopback and the machine add when the server adds nothing.`,
        SEND_LAG_NOTE,
      ],
    },
  ];
}

export const ceilingScenario: Scenario = {
  id: 'ceiling',
  description: "the load generator's own ceiling, against a trivial server",
  run,
};
