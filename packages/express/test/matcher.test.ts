/** What the default matcher makes of a request target, read as Express 5 routes it. */
import { expect } from 'chai';
import type { Request } from 'express';
import { defaultMatcher } from '../src/matcher.js';
import { PROTOCOL } from '../src/semconv.js';

function match(url: string): ReturnType<typeof defaultMatcher> {
  return defaultMatcher({ method: 'POST', url } as Request);
}

const V1_PREDICT = { operation: 'predict', protocol: PROTOCOL.KSERVE_V1, route: '/v1/models/{model}:predict' };

describe('defaultMatcher', () => {
  it('decodes a V1 target before it splits off the verb, as Express hands its `:target` parameter over', () => {
    for (const url of [
      '/v1/models/iris%3Apredict',
      '/v1/models/iris%3apredict',
      '/v1/models/iris:%70redict',
      '/v1/models/%69ris%3A%50REDICT/?q=%E0',
    ]) {
      expect(match(url), url).to.deep.equal({ ...V1_PREDICT, model: 'iris' });
    }
    expect(match('/v1/models/team:iris%3Aexplain')).to.deep.equal({
      operation: 'explain',
      model: 'team:iris',
      protocol: PROTOCOL.KSERVE_V1,
      route: '/v1/models/{model}:explain',
    });
  });

  it('splits a V1 target at its last colon once decoded, however the colons were sent', () => {
    expect(match('/v1/models/a:b%3Apredict')).to.deep.equal({ ...V1_PREDICT, model: 'a:b' });
    expect(match('/v1/models/a%3Ab:predict')).to.deep.equal({ ...V1_PREDICT, model: 'a:b' });
    // An empty model, which Express hands to the handler as well.
    expect(match('/v1/models/:predict')).to.deep.equal({ ...V1_PREDICT, model: '' });
    expect(match('/v1/models/%3Apredict')).to.deep.equal({ ...V1_PREDICT, model: '' });
  });

  it('reads a target with a fragment as Express does: without it, and with its backslashes as slashes', () => {
    expect(match('/v1/models/iris:predict#top')).to.deep.equal({ ...V1_PREDICT, model: 'iris' });
    expect(match('/v2/models\\iris\\versions\\1\\infer#')).to.deep.equal({
      operation: 'infer',
      model: 'iris',
      version: '1',
      protocol: PROTOCOL.OPEN_INFERENCE_V2,
      route: '/v2/models/{model}/versions/{version}/infer',
    });
    expect(match('http://localhost/openai/v1/embeddings#top')).to.deep.equal({
      operation: 'embeddings',
      model: undefined,
      protocol: PROTOCOL.OPENAI,
      route: '/openai/v1/embeddings',
    });
  });

  it('leaves paths that Express does not route to a predict handler', () => {
    for (const url of [
      // The verb or a fixed segment changed by decoding: Express matches fixed segments as sent.
      '/v1/models/iris:predict%2F',
      '/v1/models/iris%3Apredict%20',
      '/v1/%6Dodels/iris:predict',
      '/v2/models/iris/%69nfer',
      '/v2/models/iris%2Finfer',
      '/openai/v1/%65mbeddings',
      // Empty segments, and backslashes without a fragment, which Express leaves as sent.
      '//v2/models/iris/infer',
      '/v2/models/iris/infer//',
      '/v2/models\\iris\\infer',
      // The fragment is no part of the path.
      '/v2/models/iris#/infer',
      '/v1/models/iris#:predict',
    ]) {
      expect(match(url), url).to.equal(undefined);
    }
  });
});
