/**
 * The shipped elasticsearch overlay, proven into a real Elasticsearch:
 * `inferlens serve` sends through the collector (base +
 * overlays/elasticsearch.yaml), and the log records and spans are searched
 * for in Elasticsearch (installed by collector-config/install-elasticsearch.sh)
 * as collector-config/README.md says they can be, its Discover query
 * included. Elasticsearch here is the core server, which has no `histogram`
 * field: metrics are followed into the stand-in of collector-stand-ins.test.ts.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { REPOSITORY_ROOT } from './support/cli.js';
import { collectorSkipReason } from './support/collector.js';
import type { ElasticsearchProcess } from './support/elasticsearch.js';
import {
  attributesOf,
  elasticsearchSkipReason,
  startElasticsearch,
  waitForDocuments,
} from './support/elasticsearch.js';
import { post } from './support/http.js';
import { IRIS_V1_BODY } from './support/iris-calls.js';
import type { OverlayRoute } from './support/overlay-route.js';
import { sendIrisCalls, startOverlayRoute } from './support/overlay-route.js';

const README = join(REPOSITORY_ROOT, 'collector-config/README.md');
const OK_ID = 'es-ok';
const BAD_ID = 'es-bad';
/** A call to the model the README's query looks for, which does not exist. */
const NO_MODEL_ID = 'es-no-model';
const NAMESPACES = ['default', 'prod'];

/** The Discover query collector-config/README.md shows, in KQL. */
async function readmeQuery(): Promise<string> {
  const match = /^ {4}(inference\.record\.type : .*)$/m.exec(await readFile(README, 'utf8'));
  if (match === null) throw new Error('collector-config/README.md shows no Discover query');
  return match[1];
}

/** A KQL conjunction of `field : "value"` terms, as a Lucene query string. */
function kqlToLucene(kql: string): string {
  return kql
    .split(' and ')
    .map((term) => {
      const parts = /^\s*([\w.]+) : ("[^"]*")\s*$/.exec(term);
      if (parts === null) throw new Error(`not a "field : value" term: ${term}`);
      return `${parts[1]}:${parts[2]}`;
    })
    .join(' AND ');
}

/** The model the README's query names in `body.text`. */
function queriedModel(kql: string): string {
  const match = /body\.text : "([^"]+)"/.exec(kql);
  if (match === null) throw new Error(`the README's query searches no body.text: ${kql}`);
  return match[1];
}

describe('collector elasticsearch overlay into a real Elasticsearch', function () {
  this.timeout(180_000);

  let elasticsearch: ElasticsearchProcess | undefined;
  let dataDir: string | undefined;
  const routes: OverlayRoute[] = [];
  let kql = '';

  before(async function () {
    const skip = collectorSkipReason() ?? elasticsearchSkipReason();
    if (skip !== undefined) {
      console.log(`      skipped: ${skip}`);
      this.skip();
    }
    kql = await readmeQuery();
    dataDir = await mkdtemp(join(tmpdir(), 'inferlens-elasticsearch-'));
    elasticsearch = await startElasticsearch(dataDir);
    const env = { ELASTICSEARCH_ENDPOINT: elasticsearch.url };
    // The second server names its data stream namespace, as collector-config/README.md shows.
    const serverEnvs: Record<string, string>[] = [{}, { OTEL_RESOURCE_ATTRIBUTES: 'data_stream.namespace=prod' }];
    for (const cliEnv of serverEnvs) {
      const route = await startOverlayRoute('elasticsearch.yaml', env, cliEnv);
      routes.push(route);
      await sendIrisCalls(route.url, [OK_ID], BAD_ID);
      const noModel = await post(`${route.url}/v1/models/${queriedModel(kql)}:predict`, IRIS_V1_BODY, {
        'content-type': 'application/json',
        'x-request-id': NO_MODEL_ID,
      });
      expect(noModel.status).to.equal(404);
    }
    // Every call's two records and its span, in both namespaces.
    const ids = [OK_ID, BAD_ID, NO_MODEL_ID];
    for (const namespace of NAMESPACES) {
      await waitForDocuments(elasticsearch, `logs-generic.otel-${namespace}`, '*', (hits) =>
        ids.every((id) => hits.filter((hit) => attributesOf(hit)['inference.request.id'] === id).length === 2),
      );
      await waitForDocuments(elasticsearch, `traces-generic.otel-${namespace}`, '*', (hits) =>
        ids.every((id) => hits.some((hit) => attributesOf(hit)['inference.request.id'] === id)),
      );
    }
  });

  after(async () => {
    await Promise.all(routes.map((route) => route.stop()));
    await elasticsearch?.stop();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it("the README's Discover query finds the failed call's ERROR record, in each namespace", async () => {
    const hits = await elasticsearch!.search('logs-*', kqlToLucene(kql));
    expect(hits.map((hit) => attributesOf(hit)['inference.request.id'])).to.deep.equal([NO_MODEL_ID, NO_MODEL_ID]);
    expect(new Set(hits.map((hit) => hit.index.replace(/-\d{4}\.\d{2}\.\d{2}-\d+$/, '')))).to.deep.equal(
      new Set(NAMESPACES.map((namespace) => `.ds-logs-generic.otel-${namespace}`)),
    );
    for (const hit of hits) {
      expect(hit.source.severity_text).to.equal('ERROR');
      expect(attributesOf(hit)).to.include({ 'http.response.status_code': 404 });
      expect(JSON.parse((hit.source.body as { text: string }).text))
        .to.have.property('error')
        .that.includes(queriedModel(kql));
    }
  });

  it('attributes are searchable by their own names and as attributes.*', async () => {
    const byName = await elasticsearch!.search('logs-generic.otel-default', `inference.request.id:"${BAD_ID}"`);
    const byPath = await elasticsearch!.search(
      'logs-generic.otel-default',
      `attributes.inference.request.id:"${BAD_ID}"`,
    );
    expect(byName).to.have.length(2);
    expect(byPath).to.deep.equal(byName);
    expect(byName.map((hit) => attributesOf(hit)['inference.record.type']).sort()).to.deep.equal([
      'request',
      'response',
    ]);
  });

  it("a call's two records, and its span's exception event, are found by the trace id of its span", async () => {
    const [span] = await elasticsearch!.search('traces-generic.otel-default', `inference.request.id:"${BAD_ID}"`);
    expect(span.source.trace_id).to.be.a('string').with.length(32);
    const found = await elasticsearch!.search(
      'logs-generic.otel-default',
      `trace_id:"${span.source.trace_id as string}"`,
    );
    const records = found.filter((hit) => attributesOf(hit)['inference.request.id'] === BAD_ID);
    expect(records.map((hit) => attributesOf(hit)['inference.record.type']).sort()).to.deep.equal([
      'request',
      'response',
    ]);
    // The exporter stores span events as documents of the logs data stream.
    const events = found.filter((hit) => hit.source.event_name === 'exception');
    expect(events).to.have.length(1);
    expect(found).to.have.length(records.length + events.length);
    const response = records.find((hit) => attributesOf(hit)['inference.record.type'] === 'response')!;
    expect(attributesOf(events[0])['exception.message']).to.equal(attributesOf(response)['exception.message']);
  });

  it("a successful call's request record holds the request payload as body.text, searchable as text", async () => {
    const [request] = await elasticsearch!.search(
      'logs-generic.otel-default',
      `inference.request.id:"${OK_ID}" AND inference.record.type:"request" AND body.text:instances`,
    );
    expect(JSON.parse((request.source.body as { text: string }).text)).to.deep.equal(JSON.parse(IRIS_V1_BODY));
  });
});
