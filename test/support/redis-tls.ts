import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RedisOptions } from 'ioredis';
import { scratchDir } from './redis-server.js';

/** Files of a test certificate authority, and a server and a client certificate it signed. */
export interface TlsMaterial {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

const openssl = (dir: string, args: string[]): void => {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
};

/** A key and a certificate signed by the CA in `dir`, for 127.0.0.1 and localhost. */
function issue(dir: string, name: string): void {
  openssl(dir, [
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    `/CN=${name}`,
  ]);
  writeFileSync(path.join(dir, `${name}.ext`), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.crt`,
  ]);
}

/** A fresh CA with a server and a client certificate, made with openssl (EC keys: fast). */
export function makeTlsMaterial(): TlsMaterial {
  const dir = scratchDir();
  openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '1',
    '-subj',
    '/CN=shop test CA',
  ]);
  issue(dir, 'server');
  issue(dir, 'client');
  const file = (name: string) => path.join(dir, name);
  return {
    dir,
    ca: file('ca.crt'),
    serverCert: file('server.crt'),
    serverKey: file('server.key'),
    clientCert: file('client.crt'),
    clientKey: file('client.key'),
  };
}

/**
 * redis-server arguments for TLS only (no plain port) on `port`. `authClients`: whether a client
 * must show a certificate of the CA ('yes'), may ('optional'), or need not ('no').
 */
export function tlsArgs(
  tls: TlsMaterial,
  port: number,
  authClients: 'yes' | 'optional' | 'no' = 'optional',
): string[] {
  return [
    '--port',
    '0',
    '--tls-port',
    String(port),
    '--tls-cert-file',
    tls.serverCert,
    '--tls-key-file',
    tls.serverKey,
    '--tls-ca-cert-file',
    tls.ca,
    '--tls-auth-clients',
    authClients,
  ];
}

/** How a test's own client reaches a TLS server of this material. */
export const tlsClient = (tls: TlsMaterial): RedisOptions => ({
  tls: {
    ca: readFileSync(tls.ca),
    cert: readFileSync(tls.clientCert),
    key: readFileSync(tls.clientKey),
  },
});
