import { IRIS_V1_BODY, IRIS_V1_PATH } from '../bodies.js';
import { jsonRequest } from '../load.js';
import type { Scenario, ScenarioContext, ScenarioReport } from '../scenario.js';
import { withTargets } from '../scenario.js';
import { measureSideBySide } from '../side-by-side.js';
import { freePort } from '../../test/support/ports.js';
import { trivialServer } from '../targets/servers.js';

async function run(context: ScenarioContext): Promise<ScenarioReport[]> {
  const port = await freePort();
  const spec = trivialServer(port);
  const [measured] = await withTargets([spec], context, () =>
    measureSideBySide(
      'ceiling',
      [{ name: spec.name, load: jsonRequest(`http://127.0.0.1:${port}${IRIS_V1_PATH}`, IRIS_V1_BODY) }],
      context.settings,
      context.pinning,
    ),
  );
  return [
    {
      title: 'Load generator ceiling',
      baseline: spec.name,
      rows: [{ name: measured.name, measurement: measured }],
      extraColumns: [],
      checks: [],
      notes: [
        'autocannon on the load core against a server that answers at once on the server core: the most this setup can measure. Figures well below it are the server’s, not the generator’s.',
      ],
    },
  ];
}

export const ceilingScenario: Scenario = {
  id: 'ceiling',
  description: "the load generator's own ceiling, against a trivial server",
  run,
};
