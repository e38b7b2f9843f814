import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { expect } from 'chai';
import { RequestGzipper } from '../src/export/gzip-requests.js';

/** Gzips `request` with `gzipper`, resolving with its bytes or rejecting with its error. */
function gzipped(gzipper: RequestGzipper, request: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    gzipper.gzip(request, (error, body) => (error === null ? resolve(body) : reject(error))),
  );
}

describe('RequestGzipper', () => {
  it('gzips each request into a gzip file of its own, in the order given, through one stream', async () => {
    const gzipper = new RequestGzipper();
    // Text that compresses, bytes that do not (their output takes several of zlib's 64 KiB steps), and nothing.
    const requests = [
      Buffer.from('{"instances":[[6.8,2.8,4.8,1.4]]}'.repeat(5000)),
      randomBytes(300_000),
      Buffer.alloc(0),
    ];
    const settled: number[] = [];
    const outputs = await Promise.all(
      requests.map((request, index) => gzipped(gzipper, request).finally(() => settled.push(index))),
    );
    expect(settled).to.deep.equal([0, 1, 2]);
    outputs.forEach((output, index) => expect(gunzipSync(output).equals(requests[index])).to.equal(true));
    // A second round through the same, reset stream writes the same files.
    const again = await Promise.all(requests.map((request) => gzipped(gzipper, request)));
    expect(again.map((output) => output.toString('base64'))).to.deep.equal(
      outputs.map((output) => output.toString('base64')),
    );
  });

  it('is idle only once every request given so far has been called back', async () => {
    const gzipper = new RequestGzipper();
    const called: number[] = [];
    for (const index of [0, 1, 2]) gzipper.gzip(randomBytes(100_000), () => called.push(index));
    await gzipper.idle();
    expect(called).to.deep.equal([0, 1, 2]);
    gzipper.gzip(Buffer.from('later'), () => called.push(3));
    await gzipper.idle();
    expect(called).to.deep.equal([0, 1, 2, 3]);
  });

  it('never calls back before gzip returns', () => {
    const gzipper = new RequestGzipper();
    let called = false;
    gzipper.gzip(Buffer.from('x'), () => {
      called = true;
    });
    expect(called).to.equal(false);
  });

  it('fails only the request its stream refused, and gzips the next through a new stream', async () => {
    const gzipper = new RequestGzipper();
    const refused = gzipped(gzipper, 42 as unknown as Uint8Array);
    const next = gzipped(gzipper, Buffer.from('after the failure'));
    await refused.then(
      () => expect.fail('a chunk that is no bytes was gzipped'),
      (error: NodeJS.ErrnoException) => expect(error.code).to.equal('ERR_INVALID_ARG_TYPE'),
    );
    expect(gunzipSync(await next).toString()).to.equal('after the failure');
  });
});
