import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SourceError } from '../../../src/errors.js';
import { PromClient } from '../../../src/source/prometheus/PromClient.js';
import { useTempDir } from '../../support/tempDir.js';

/** A throwaway CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl. */
function makeCerts(dir: string): Record<'ca' | 'serverKey' | 'serverCert' | 'clientKey' | 'clientCert', string> {
  const p = (f: string) => join(dir, f);
  const ossl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ossl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=capplan test CA');
  writeFileSync(p('server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  writeFileSync(p('client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const who of ['server', 'client']) {
    ossl('req', ...ec, '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', `/CN=${who}`);
    ossl('x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${who}.pem`, '-days', '2', '-extfile', `${who}.ext`);
  }
  return { ca: p('ca.pem'), serverKey: p('server.key'), serverCert: p('server.pem'), clientKey: p('client.key'), clientCert: p('client.pem') };
}

describe('PromClient over TLS', () => {
  const tmp = useTempDir();
  const servers: https.Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  async function serve(certs: ReturnType<typeof makeCerts>, requireClientCert: boolean): Promise<string> {
    const server = https.createServer(
      {
        key: readFileSync(certs.serverKey),
        cert: readFileSync(certs.serverCert),
        ca: readFileSync(certs.ca),
        requestCert: requireClientCert,
        rejectUnauthorized: requireClientCert,
      },
      (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ status: 'success', data: { version: '2.53.0' } }));
      },
    );
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  const noRetry = { backoff: { retries: 0 } };

  it('verifies by default, trusts a configured CA, and skips only when asked', async () => {
    const certs = makeCerts(tmp());
    const url = await serve(certs, false);
    const err = await new PromClient({ url, ...noRetry }).buildInfo().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as Error).message).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|unable to verify/i);
    expect((err as Error).message).toContain('tls.caFile');
    expect((await new PromClient({ url, tls: { caFile: certs.ca } }).buildInfo()).version).toBe('2.53.0');
    expect((await new PromClient({ url, tls: { insecureSkipVerify: true } }).buildInfo()).version).toBe('2.53.0');
  });

  it('presents a client certificate for mutual TLS', async () => {
    const certs = makeCerts(tmp());
    const url = await serve(certs, true);
    await expect(new PromClient({ url, tls: { caFile: certs.ca }, ...noRetry }).buildInfo()).rejects.toThrow(SourceError);
    const client = new PromClient({ url, tls: { caFile: certs.ca, certFile: certs.clientCert, keyFile: certs.clientKey } });
    expect((await client.buildInfo()).version).toBe('2.53.0');
  });

  it('names an unreadable TLS file', () => {
    expect(() => new PromClient({ url: 'https://x', tls: { caFile: '/nonexistent/ca.pem' } })).toThrow(/tls\.caFile: cannot read \/nonexistent\/ca\.pem \(ENOENT\)/);
  });
});
