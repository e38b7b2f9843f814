/** OpenAI embeddings requests: every form of `input`, and the defaults. */
import { expect } from 'chai';
import { parseEmbeddingsRequest } from '../src/index.js';

describe('parseEmbeddingsRequest', () => {
  it('reads a single string as one input, with the default encoding and no dimensions', () => {
    expect(parseEmbeddingsRequest({ model: 'm', input: 'hello' })).to.deep.equal({
      model: 'm',
      inputs: ['hello'],
      encodingFormat: 'float', // OpenAI's default
      dimensions: undefined,
    });
  });

  it('reads an array of strings, an array of token ids and an array of token id arrays', () => {
    expect(parseEmbeddingsRequest({ model: 'm', input: ['a', 'b'] }).inputs).to.deep.equal(['a', 'b']);
    expect(parseEmbeddingsRequest({ model: 'm', input: [1, 2, 3] }).inputs).to.deep.equal([[1, 2, 3]]);
    expect(parseEmbeddingsRequest({ model: 'm', input: [[1], [2, 3]] }).inputs).to.deep.equal([[1], [2, 3]]);
  });

  it('reads encoding_format and dimensions, accepts user and ignores fields it does not define', () => {
    const request = parseEmbeddingsRequest({
      model: 'm',
      input: 'a',
      encoding_format: 'base64',
      dimensions: 16,
      user: 'someone',
      extra: true,
    });
    expect(request).to.include({ encodingFormat: 'base64', dimensions: 16 });
  });

  it('reads null encoding_format, dimensions and user as not given, as OpenAI does', () => {
    // LiteLLM sends "encoding_format": null when its caller names no format (BerriAI/litellm#25428).
    const request = parseEmbeddingsRequest({
      model: 'm',
      input: 'a',
      encoding_format: null,
      dimensions: null,
      user: null,
    });
    expect(request).to.include({ encodingFormat: 'float', dimensions: undefined });
  });

  it('refuses an empty text, alone or among others, as OpenAI does', () => {
    expect(() => parseEmbeddingsRequest({ model: 'm', input: '' })).to.throw('"input" must not be an empty string');
    expect(() => parseEmbeddingsRequest({ model: 'm', input: ['a', ''] })).to.throw(
      '"input"[1] must not be an empty string',
    );
  });

  it('refuses a token id past 2^53, which arrives as a bigint, as no token id', () => {
    expect(() => parseEmbeddingsRequest({ model: 'm', input: [9007199254740993n, 1] })).to.throw(
      '"input"[0] must be a non-negative integer token id',
    );
    expect(() => parseEmbeddingsRequest({ model: 'm', input: 'a', dimensions: 9007199254740993n })).to.throw(
      '"dimensions" must be a positive integer, got 9007199254740993',
    );
  });

  it('refuses an encoding_format or dimensions that nests arrays deeply, naming it by its kind', () => {
    const deep: unknown = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(() => parseEmbeddingsRequest({ model: 'm', input: 'a', encoding_format: deep })).to.throw(
      '"encoding_format" must be one of float, base64, got an array',
    );
    expect(() => parseEmbeddingsRequest({ model: 'm', input: 'a', dimensions: deep })).to.throw(
      '"dimensions" must be a positive integer, got an array',
    );
  });

  it('refuses a user that is not a string, and token arrays mixed with texts', () => {
    expect(() => parseEmbeddingsRequest({ model: 'm', input: 'a', user: 3 })).to.throw('"user" must be a string');
    expect(() => parseEmbeddingsRequest({ model: 'm', input: [1, 'a'] })).to.throw(
      '"input"[1] must be a non-negative integer token id',
    );
    // OpenAI's input is one of four shapes: an array of strings or of token arrays, never both.
    expect(() => parseEmbeddingsRequest({ model: 'm', input: ['a', [1, 2]] })).to.throw(
      '"input"[1] must be a string, as "input"[0] is',
    );
    expect(() => parseEmbeddingsRequest({ model: 'm', input: [[1, 2], 'a'] })).to.throw(
      '"input"[1] must be an array of token ids, as "input"[0] is',
    );
  });
});
