import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { read, ROOT } from './delivery-support.js';

const RULE_TESTS = path.join(ROOT, 'test/delivery/alert-tests');

/** GitHub's anchor for a Markdown heading. */
const anchorOf = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\w\- ]/g, '')
    .replace(/ /g, '-');

describe('the payment webhooks alert', () => {
  it('fires on a burst of rejected notifications from one provider and not on stray ones (promtool test rules)', () => {
    const out = execFileSync('promtool', ['test', 'rules', 'payment-webhooks-rejected.yml'], {
      cwd: RULE_TESTS,
    });
    expect(out.toString()).toMatch(/SUCCESS/);
  });

  it('links a runbook that exists in the README', () => {
    const alerts = read('helm/shop/files/alerts.yml');
    const url = /runbook_url: (\S+#([\w-]+))/.exec(alerts);
    expect(url?.[2]).toBeDefined();
    const anchors = [...read('README.md').matchAll(/^#{2,4} (.+)$/gm)].map((m) => anchorOf(m[1]!));
    expect(anchors).toContain(url![2]);
  });
});
