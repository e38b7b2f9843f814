import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { decodeContent } from '../src/payload/content-encoding.js';

describe('decodeContent', () => {
  const text = JSON.stringify({ predictions: Array.from({ length: 50 }, (_, index) => index) });

  it("undoes gzip whatever the header token's case and spacing", () => {
    const decoded = decodeContent(gzipSync(text), ' GZip ', 4096, false);
    expect(decoded?.bytes.toString()).to.equal(text);
    expect(decoded?.cut).to.equal(false);
  });

  it('leaves an answer without a known encoding to be read as it is', () => {
    for (const encoding of [undefined, 'identity', 'compress', ['gzip']]) {
      expect(decodeContent(Buffer.from(text), encoding, 4096, false), String(encoding)).to.equal(undefined);
    }
  });

  it('decodes what a cut stream holds, and says it is cut', () => {
    const encoded = gzipSync(JSON.stringify({ predictions: Array.from({ length: 5000 }, Math.random) }));
    const decoded = decodeContent(encoded.subarray(0, encoded.byteLength >> 1), 'gzip', 1 << 20, true);
    expect(decoded?.bytes.toString().startsWith('{"predictions":[')).to.equal(true);
    expect(decoded?.cut).to.equal(true);
  });

  // About 1 KB that inflates to 1 MB, and 200 KB of prediction JSON that compresses to a few hundred bytes.
  const inflating: [string, string, (text: string) => Buffer][] = [
    [`[${'0,'.repeat(500_000)}0]`, 'gzip', gzipSync],
    [`[${'0,'.repeat(500_000)}0]`, 'deflate', deflateSync],
    [JSON.stringify({ predictions: new Array<number>(100_000).fill(1) }), 'br', brotliCompressSync],
  ];
  for (const [answer, encoding, encode] of inflating) {
    it(`decodes all it may of an answer that inflates far past maxBytes, and no more (${encoding})`, () => {
      for (const maxBytes of [4096, 65536]) {
        const decoded = decodeContent(encode(answer), encoding, maxBytes, false);
        // Within the last few symbols of the limit: one more byte of input would decode past it.
        expect(decoded?.bytes.byteLength, `${maxBytes}`).to.be.within(maxBytes - 1024, maxBytes);
        expect(decoded?.bytes.toString()).to.equal(answer.slice(0, decoded?.bytes.byteLength));
        expect(decoded?.cut).to.equal(true);
      }
    });
  }

  it('gives no bytes, marked cut, for an answer that does not decode', () => {
    expect(decodeContent(Buffer.from('not gzip at all'), 'gzip', 4096, false)).to.deep.equal({
      bytes: Buffer.alloc(0),
      cut: true,
    });
  });
});
