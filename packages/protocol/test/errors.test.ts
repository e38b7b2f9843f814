import { expect } from 'chai';
import type { ErrorKind } from '../src/index.js';
import { ERROR_STATUS, InferenceError, invalidInput, invalidRequest } from '../src/index.js';

describe('InferenceError', () => {
  it('maps every kind to the status KServe and Triton answer with', () => {
    expect(ERROR_STATUS).to.deep.equal({
      INVALID_REQUEST: 400,
      INVALID_INPUT: 400,
      MODEL_NOT_FOUND: 404,
      MODEL_VERSION_NOT_FOUND: 404,
      ROUTE_NOT_FOUND: 404,
      METHOD_NOT_ALLOWED: 405,
      PAYLOAD_TOO_LARGE: 413,
      UNSUPPORTED_MEDIA_TYPE: 415,
      INTERNAL: 500,
      NOT_IMPLEMENTED: 501,
      MODEL_NOT_READY: 503,
      SERVER_NOT_READY: 503,
    });
  });

  it('carries its kind, status, message and cause', () => {
    for (const kind of Object.keys(ERROR_STATUS) as ErrorKind[]) {
      const cause = new Error('underlying');
      const error = new InferenceError(kind, `a ${kind} error`, { cause });
      expect(error).to.be.instanceOf(Error);
      expect(error.name).to.equal('InferenceError');
      expect(error.kind).to.equal(kind);
      expect(error.status).to.equal(ERROR_STATUS[kind]);
      expect(error.message).to.equal(`a ${kind} error`);
      expect(error.cause).to.equal(cause);
    }
  });

  it('has shorthands for invalid inputs and invalid requests', () => {
    expect(invalidInput('bad tensor')).to.include({ kind: 'INVALID_INPUT', status: 400, message: 'bad tensor' });
    expect(invalidRequest('bad body')).to.include({ kind: 'INVALID_REQUEST', status: 400, message: 'bad body' });
  });
});
