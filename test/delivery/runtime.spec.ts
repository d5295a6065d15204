import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { read, readYaml } from './delivery-support.js';

const imageNode = /^ARG NODE_VERSION=(\d+\.\d+\.\d+)$/m.exec(read('Dockerfile'))?.[1] ?? '';
const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;

describe('one Node.js runtime', () => {
  it('names the major of the image’s Node in .nvmrc', () => {
    expect(imageNode).toMatch(/^\d+\.\d+\.\d+$/);
    expect(read('.nvmrc').trim()).toBe(String(semver.major(imageNode)));
  });

  it('accepts the image’s Node and the other maintained lines in engines, and not Node 20', () => {
    for (const version of [imageNode, '24.15.0', '22.22.3']) {
      expect(semver.satisfies(version, engines), `${version} in ${engines}`).toBe(true);
    }
    for (const version of ['20.19.0', '22.12.0', '25.0.0']) {
      expect(semver.satisfies(version, engines), `${version} in ${engines}`).toBe(false);
    }
  });

  it('tests on .nvmrc in the GitHub workflow, and on no line engines does not accept', () => {
    const test = readYaml<{
      jobs: {
        test: {
          strategy: {
            matrix: { include: { 'node-version'?: string; 'node-version-file'?: string }[] };
          };
        };
      };
    }>('.github/workflows/ci.yml').jobs.test;
    const legs = test.strategy.matrix.include;
    expect(legs).toContainEqual({ 'node-version-file': '.nvmrc' });
    for (const leg of legs.filter((l) => l['node-version'])) {
      expect(semver.intersects(leg['node-version'] ?? '', engines), JSON.stringify(leg)).toBe(true);
    }
  });

  it('has .ci/run put the image’s Node first in PATH before it installs, lints, builds and tests', () => {
    const script = read('.ci/run');
    const main = script.slice(script.indexOf('\nlog "services"'));
    const steps = ['use_image_node', 'npm ci', 'npm run lint', 'npm run build', 'npm test'].map(
      (step) => main.indexOf(`\n${step}`),
    );
    expect(steps.every((at) => at > 0)).toBe(true);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
    expect(script).toContain('node scripts/image-node.mjs');
  });
});
