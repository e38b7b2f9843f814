import { expect } from 'chai';
import { parsePredictRequest } from '../src/index.js';
import { thrown } from './thrown.js';

describe('parsePredictRequest', () => {
  it('reads instances as rows', () => {
    const instances = [
      [6.8, 2.8, 4.8, 1.4],
      [6.0, 3.4, 4.5, 1.6],
    ];
    expect(parsePredictRequest({ instances })).to.deep.equal({ kind: 'rows', rows: instances });
  });

  it('reads an inputs array as rows, and an inputs object as named columns', () => {
    expect(parsePredictRequest({ inputs: [[1, 2]] })).to.deep.equal({ kind: 'rows', rows: [[1, 2]] });
    const columns = { a: [1], b: [2] };
    expect(parsePredictRequest({ inputs: columns })).to.deep.equal({ kind: 'columns', columns });
  });

  const errors: [string, unknown, string][] = [
    ['a body that is not an object', [[1, 2]], 'the request body must be a JSON object with "instances" or "inputs"'],
    ['a body with neither field', { data: [1] }, 'the request body must hold "instances" or "inputs"'],
    ['a body with both fields', { instances: [1], inputs: [1] }, 'not both'],
    ['instances that are not an array', { instances: { a: 1 } }, '"instances" must be a non-empty array'],
    ['empty instances', { instances: [] }, '"instances" must be a non-empty array'],
    ['empty inputs', { inputs: [] }, '"inputs" must not be empty'],
    ['inputs of another type', { inputs: 5 }, '"inputs" must be a non-empty array or an object of named inputs'],
    ['an empty inputs object', { inputs: {} }, '"inputs" must be a non-empty array or an object of named inputs'],
  ];
  for (const [what, body, message] of errors) {
    it(`rejects ${what} with 400`, () => {
      const error = thrown(() => parsePredictRequest(body));
      expect(error.kind).to.equal('INVALID_REQUEST');
      expect(error.status).to.equal(400);
      expect(error.message).to.include(message);
    });
  }
});
