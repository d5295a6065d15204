import { execFileSync } from 'node:child_process';

/**
 * What `promtool check metrics` says about a scrape, one problem a line, without the lint of
 * prom-client's default nodejs_* and process_* families (some of their names break it).
 */
export function promtoolProblems(scrape: string): string[] {
  let output: string;
  try {
    output = execFileSync('promtool', ['check', 'metrics'], {
      input: scrape,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  } catch (error) {
    const failure = error as { code?: string; stdout?: string; stderr?: string };
    if (failure.code === 'ENOENT') {
      throw new Error('promtool is not installed: apt-get install prometheus (.ci/run does)', {
        cause: error,
      });
    }
    output = `${failure.stdout ?? ''}${failure.stderr ?? ''}`;
  }
  return output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .filter((line) => /error|parsing/i.test(line) || !/^(nodejs|process)_/.test(line));
}
