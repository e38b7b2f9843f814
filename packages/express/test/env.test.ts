import { expect } from 'chai';
import { EnvReader } from '../src/env.js';
import { recordingReporter } from './export-helpers.js';

function reader(env: NodeJS.ProcessEnv) {
  const reporter = recordingReporter();
  return { env: new EnvReader(env, reporter), reporter };
}

describe('EnvReader', () => {
  it('ignores and warns about a number too large to be finite, written as digits or as Infinity', () => {
    const { env, reporter } = reader({ SIZE: '9'.repeat(400), RATIO: 'Infinity' });
    expect(env.number('SIZE', 1, { integer: true })).to.equal(undefined);
    expect(env.number('RATIO', 0)).to.equal(undefined);
    expect(reporter.calls.map((call) => call.code)).to.deep.equal([
      'INFERLENS_BAD_ENV_SIZE',
      'INFERLENS_BAD_ENV_RATIO',
    ]);
  });

  it('sets no upper bound on a number unless asked to', () => {
    const { env, reporter } = reader({ SIZE: '5000000000' });
    expect(env.number('SIZE', 1, { integer: true })).to.equal(5_000_000_000);
    expect(reporter.calls).to.deep.equal([]);
  });

  it('lists each entry once, whatever its letter case', () => {
    const { env } = reader({ EXPORTERS: 'none, NONE,none' });
    expect(env.list('EXPORTERS')).to.deep.equal(['none']);
  });

  it('percent-decodes the keys of key=value pairs as well as their values', () => {
    const { env } = reader({ ATTRIBUTES: 'service%2Ename=my%20service' });
    expect(env.keyValues('ATTRIBUTES')).to.deep.equal({ 'service.name': 'my service' });
  });
});
