import { execFileSync, spawnSync } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';

/** A self-signed certificate for 127.0.0.1: it is its own CA, so `certFile` is what a client trusts as `tls.caFile`. */
export interface SelfSignedCert {
  readonly certFile: string;
  readonly keyFile: string;
  readonly cert: string;
  readonly key: string;
  /** How it was made. */
  readonly by: 'openssl' | 'node';
}

/**
 * Makes a fresh self-signed certificate (EC P-256, valid two days, SAN
 * IP:127.0.0.1 and DNS:localhost, CA:TRUE) in `dir`. Uses the `openssl` CLI
 * when it is installed; otherwise builds the X.509 DER itself with node's
 * crypto (which can sign but not issue certificates). `using` forces one way.
 */
export function makeSelfSignedCert(dir: string, using: 'auto' | 'openssl' | 'node' = 'auto'): SelfSignedCert {
  const certFile = join(dir, 'self-signed.pem');
  const keyFile = join(dir, 'self-signed.key');
  const haveOpenssl = using !== 'node' && spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;
  if (using === 'openssl' && !haveOpenssl) throw new Error('openssl is not on PATH');
  if (haveOpenssl) {
    execFileSync(
      'openssl',
      [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=capplan loopback test',
        '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-addext', 'basicConstraints=critical,CA:TRUE',
      ],
      { stdio: 'pipe' },
    );
    return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), by: 'openssl' };
  }
  const { cert, key } = nodeSelfSigned();
  writeFileSync(certFile, cert);
  writeFileSync(keyFile, key, { mode: 0o600 });
  return { certFile, keyFile, cert, key, by: 'node' };
}

export interface TlsServer {
  readonly url: string;
  /** Requests seen, with their headers (to check what credentials were sent). */
  readonly requests: { readonly method: string; readonly path: string; readonly headers: http.IncomingHttpHeaders }[];
  close(): Promise<void>;
}

/** An HTTPS server on a free loopback port with the given certificate, answering with `handler`. */
export async function startTlsServer(cert: SelfSignedCert, handler: http.RequestListener): Promise<TlsServer> {
  const requests: TlsServer['requests'] = [];
  const sockets = new Set<Socket>();
  const server = https.createServer({ key: cert.key, cert: cert.cert }, (req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    handler(req, res);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // A client refusing the certificate aborts the handshake: expected here.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

/* ---- A minimal X.509 v3 certificate in DER, for machines without openssl ---- */

function der(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const n = body.length;
  const len = n < 0x80 ? Buffer.of(n) : n < 0x100 ? Buffer.of(0x81, n) : n < 0x10000 ? Buffer.of(0x82, n >> 8, n & 0xff) : Buffer.of(0x83, n >> 16, (n >> 8) & 0xff, n & 0xff);
  return Buffer.concat([Buffer.of(tag), len, body]);
}
const seq = (...p: Buffer[]) => der(0x30, ...p);
const set = (...p: Buffer[]) => der(0x31, ...p);
const explicit = (n: number, ...p: Buffer[]) => der(0xa0 + n, ...p);
const octets = (b: Buffer) => der(0x04, b);
const bits = (b: Buffer) => der(0x03, Buffer.of(0), b);
const utf8 = (s: string) => der(0x0c, Buffer.from(s, 'utf8'));
const bool = (v: boolean) => der(0x01, Buffer.of(v ? 0xff : 0));

function integer(b: Buffer): Buffer {
  const trimmed = b.subarray(b.findIndex((x, i) => x !== 0 || i === b.length - 1));
  return der(0x02, trimmed[0] & 0x80 ? Buffer.concat([Buffer.of(0), trimmed]) : trimmed);
}

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out = [40 * a + b];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = n >>> 7; v > 0; v >>>= 7) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return der(0x06, Buffer.from(out));
}

function utcTime(ms: number): Buffer {
  const d = new Date(ms).toISOString(); // 2026-11-24T09:30:00.000Z
  return der(0x17, Buffer.from(`${d.slice(2, 4)}${d.slice(5, 7)}${d.slice(8, 10)}${d.slice(11, 13)}${d.slice(14, 16)}${d.slice(17, 19)}Z`, 'ascii'));
}

function nodeSelfSigned(): { cert: string; key: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ecdsaSha256 = seq(oid('1.2.840.10045.4.3.2'));
  const name = seq(set(seq(oid('2.5.4.3'), utf8('capplan loopback test'))));
  const now = Date.now();
  const san = seq(der(0x87, Buffer.of(127, 0, 0, 1)), der(0x82, Buffer.from('localhost', 'ascii')));
  const extensions = seq(
    seq(oid('2.5.29.17'), octets(san)),
    seq(oid('2.5.29.19'), bool(true), octets(seq(bool(true)))),
  );
  const tbs = seq(
    explicit(0, integer(Buffer.of(2))),
    integer(randomBytes(16)),
    ecdsaSha256,
    name,
    seq(utcTime(now - 3_600_000), utcTime(now + 2 * 86_400_000)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, extensions),
  );
  const signature = sign('sha256', tbs, privateKey);
  const certDer = seq(tbs, ecdsaSha256, bits(signature));
  const pem = `-----BEGIN CERTIFICATE-----\n${certDer.toString('base64').match(/.{1,64}/g)?.join('\n')}\n-----END CERTIFICATE-----\n`;
  const key = createPrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' })).export({ type: 'pkcs8', format: 'pem' }) as string;
  return { cert: pem, key };
}
