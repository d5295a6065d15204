// The Node.js of the Docker image (its ARG NODE_VERSION), from the npm registry's node-<os>-<cpu>
// package, installed once per version into a cache outside the repository
// ($XDG_CACHE_HOME/shop-backend/node, else ~/.cache/shop-backend/node). Used by .ci/run, which
// runs lint, build and the tests on it, and by the benchmark, which compares it with the Node
// it was started with. Needs nothing but Node and npm (it runs before `npm ci`).
//
//   node scripts/image-node.mjs      prints the path of the binary, installing it first if needed
import { execFileSync, spawnSync } from 'node:child_process';
import { access, mkdir, readFile, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export async function imageNodeVersion(root = ROOT) {
  const dockerfile = await readFile(path.join(root, 'Dockerfile'), 'utf8');
  const version = /^ARG NODE_VERSION=(\d+\.\d+\.\d+)$/m.exec(dockerfile)?.[1];
  if (!version) throw new Error('Dockerfile has no ARG NODE_VERSION=x.y.z');
  return version;
}

function cacheDir() {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'shop-backend', 'node');
}

function packageName() {
  if (!['linux', 'darwin'].includes(process.platform)) {
    throw new Error(`no node-<os>-<cpu> package is used for ${process.platform}`);
  }
  return `node-${process.platform}-${process.arch}`;
}

// `npm install --prefix` also moves npm's global config under the prefix, and with it the
// machine's cafile: hand the CA bundle over through Node's own variable instead.
const npmCaFile = () =>
  process.env.NODE_EXTRA_CA_CERTS ||
  execFileSync('npm', ['config', 'get', 'cafile'], { encoding: 'utf8' })
    .trim()
    .replace(/^null$/, '');

/** The environment for the nested npm: the caller's, less what a parent npm run-script set. */
function npmEnv() {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)),
  );
  const ca = npmCaFile();
  if (ca) env.NODE_EXTRA_CA_CERTS = ca;
  return env;
}

const versionOf = (binary) =>
  spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout?.trim() ?? '';

/** The path of the image's Node binary, installed into the cache first when it is not there. */
export async function imageNode(root = ROOT) {
  const version = await imageNodeVersion(root);
  const name = packageName();
  const prefix = path.join(cacheDir(), `${name}-${version}`);
  const binary = path.join(prefix, 'node_modules', name, 'bin', 'node');
  try {
    await access(binary);
    if (versionOf(binary) === `v${version}`) return binary;
  } catch {
    // not installed yet
  }
  process.stderr.write(`installing ${name}@${version} into ${prefix}\n`);
  // Into a scratch directory first, so an interrupted install never looks like a finished one.
  const scratch = `${prefix}.partial-${process.pid}`;
  await rm(scratch, { recursive: true, force: true });
  await mkdir(scratch, { recursive: true });
  const npm = spawnSync(
    'npm',
    [
      'install',
      '--prefix',
      scratch,
      '--no-save',
      '--no-package-lock',
      '--no-audit',
      '--no-fund',
      `${name}@${version}`,
    ],
    { env: npmEnv(), stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (npm.status !== 0) {
    await rm(scratch, { recursive: true, force: true });
    throw new Error(`npm install ${name}@${version} exited ${npm.status ?? npm.signal}`);
  }
  await rm(prefix, { recursive: true, force: true });
  await rename(scratch, prefix);
  const installed = versionOf(binary);
  if (installed !== `v${version}`) {
    throw new Error(`${binary} reports ${installed || 'nothing'}, not v${version}`);
  }
  return binary;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${await imageNode()}\n`);
}
