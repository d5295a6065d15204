import { execFileSync } from 'node:child_process';

/** Runs a checker the delivery tests need; says how to install it when it is missing. */
export function runTool(
  command: string,
  args: string[],
  install: string,
  options: { cwd?: string } = {},
): { ok: boolean; output: string } {
  try {
    const output = execFileSync(command, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      ...options,
    });
    return { ok: true, output };
  } catch (error) {
    const failure = error as { code?: string; stdout?: string; stderr?: string };
    if (failure.code === 'ENOENT') {
      throw new Error(`${command} is not installed: ${install} (.ci/run does)`, { cause: error });
    }
    return { ok: false, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}` };
  }
}
