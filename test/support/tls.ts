/**
 * Certificates for TLS tests, made when the tests run: a CA, a server
 * certificate it signs for 127.0.0.1 and a client certificate it signs, each
 * as PEM text and as a file (the exporters' TLS options name files).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generate } from 'selfsigned';

/** A certificate and its private key. */
export interface KeyPair {
  readonly cert: string;
  readonly key: string;
  readonly certFile: string;
  readonly keyFile: string;
}

export interface TestCertificates {
  readonly ca: KeyPair;
  /** For `127.0.0.1`, signed by `ca`. */
  readonly server: KeyPair;
  /** For TLS client authentication, signed by `ca`. */
  readonly client: KeyPair;
}

/** SHA-256 signatures: OpenSSL refuses the SHA-1 that `selfsigned` uses by default. */
const SIGNING = { keyType: 'ec', algorithm: 'sha256' } as const;

/** Makes the certificates and writes them as `<name>.pem` and `<name>-key.pem` under `dir`. */
export async function makeTestCertificates(dir: string): Promise<TestCertificates> {
  const ca = await generate([{ name: 'commonName', value: 'inferlens test CA' }], {
    ...SIGNING,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const signedBy = { key: ca.private, cert: ca.cert };
  const server = await generate([{ name: 'commonName', value: 'collector' }], {
    ...SIGNING,
    ca: signedBy,
    extensions: [
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
    ],
  });
  const client = await generate([{ name: 'commonName', value: 'inferlens' }], {
    ...SIGNING,
    ca: signedBy,
    extensions: [{ name: 'extKeyUsage', clientAuth: true }],
  });
  const save = async (name: string, pems: { cert: string; private: string }): Promise<KeyPair> => {
    const pair = {
      cert: pems.cert,
      key: pems.private,
      certFile: join(dir, `${name}.pem`),
      keyFile: join(dir, `${name}-key.pem`),
    };
    await Promise.all([writeFile(pair.certFile, pair.cert), writeFile(pair.keyFile, pair.key, { mode: 0o600 })]);
    return pair;
  };
  return { ca: await save('ca', ca), server: await save('server', server), client: await save('client', client) };
}
