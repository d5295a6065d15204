/** The client side of the chaos run: timed requests, recorded by phase. */

export interface Sample {
  phase: string;
  status: number; // 0: no answer (connection refused or reset), -1: client timeout
  ms: number;
  internals: boolean;
}

export const TIMEOUT_MS = 15_000;
const INTERNALS = /at .+\.(js|ts):\d+|QueryFailedError|node_modules|ECONNREFUSED|stack/;

export class Recorder {
  readonly samples: Sample[] = [];
  phase = 'warm-up';

  async call(
    base: string,
    method: string,
    path: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: Record<string, unknown> | undefined }> {
    const started = performance.now();
    const phase = this.phase;
    try {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: {
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...options.headers,
        },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      const text = await res.text();
      this.samples.push({
        phase,
        status: res.status,
        ms: performance.now() - started,
        internals: res.status >= 500 && INTERNALS.test(text),
      });
      let body: Record<string, unknown> | undefined;
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        body = undefined;
      }
      return { status: res.status, body };
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError';
      this.samples.push({
        phase,
        status: timedOut ? -1 : 0,
        ms: performance.now() - started,
        internals: false,
      });
      return { status: timedOut ? -1 : 0, body: undefined };
    }
  }

  /** Requests, error rates and p99 per phase, in the order the phases ran. */
  table(): string {
    const phases = [...new Set(this.samples.map((s) => s.phase))];
    const rows = phases.map((phase) => {
      const samples = this.samples.filter((s) => s.phase === phase);
      const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
      const p99 = ms[Math.min(ms.length - 1, Math.floor(ms.length * 0.99))] ?? 0;
      const count = (f: (s: Sample) => boolean) => samples.filter(f).length;
      const pct = (n: number) => `${((100 * n) / Math.max(1, samples.length)).toFixed(1)}%`;
      return `| ${phase} | ${samples.length} | ${pct(count((s) => s.status >= 200 && s.status < 300))} | ${pct(count((s) => s.status >= 400 && s.status < 500))} | ${pct(count((s) => s.status === 503))} | ${count((s) => s.status >= 500 && s.status !== 503)} | ${pct(count((s) => s.status === 0))} | ${count((s) => s.status === -1)} | ${p99.toFixed(0)} |`;
    });
    return [
      '| phase | requests | 2xx | 4xx | 503 | other 5xx | no answer | timed out | p99 ms |',
      '|---|---|---|---|---|---|---|---|---|',
      ...rows,
    ].join('\n');
  }
}
