// Helpers for bench/run.mjs: processes, HTTP, autocannon runs, the seed.
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import autocannon from 'autocannon';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export function start(nodeBinary, script, env, { quiet = true, nodeArgs = [] } = {}) {
  // BENCH_PROFILE_DIR writes a CPU profile of the api (not the floor) for `node --cpu-prof`.
  const profile =
    process.env.BENCH_PROFILE_DIR && script.endsWith('main.js')
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
      : [];
  const child = spawn(nodeBinary, [...profile, ...nodeArgs, script], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'inherit'],
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return {
    child,
    exited,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export async function waitFor(url, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await sleep(100);
  }
  throw new Error(`${url} did not come up`);
}

export async function run(command, args, env) {
  const child = spawn(command, args, {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  const code = await new Promise((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${code}`);
  return out;
}

export async function sql(url, text, params = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows;
  } finally {
    await client.end();
  }
}

export async function json(url, init) {
  const res = await fetch(url, init);
  const body = await res.json();
  if (!res.ok)
    throw new Error(`${init?.method ?? 'GET'} ${url}: ${res.status} ${JSON.stringify(body)}`);
  return body.data;
}

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

/**
 * CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. Unlike req/s it
 * hardly moves when the other processes on the machine are busy, so it compares two builds fairly.
 */
export function cpuSecondsOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The fields after the command name: state is field 3 (index 0), utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/**
 * CPU seconds used so far by each PostgreSQL and Redis server process of the machine (the
 * services the api and the floor share), by pid, from /proc.
 */
export function serviceCpuSeconds() {
  const used = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const service =
      command === 'postgres' ? 'postgres' : command === 'redis-server' ? 'redis' : null;
    if (service === null) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    used.set(entry, { service, seconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS });
  }
  return used;
}

/**
 * One autocannon run: no pipelining, the given duration. With `pid`, the result also holds the
 * CPU seconds that process spent during the run (`cpuSeconds`), and those of PostgreSQL, Redis
 * and this load generator (`serviceCpu`).
 */
export function load(base, scenario, seconds, connections, pid) {
  const cpuBefore = pid === undefined ? undefined : cpuSecondsOf(pid);
  const servicesBefore = pid === undefined ? undefined : serviceCpuSeconds();
  const clientBefore = process.cpuUsage();
  return new Promise((resolve, reject) => {
    const opts = {
      url: `${base}${scenario.path ?? ''}`,
      connections,
      pipelining: 1,
      duration: seconds,
      method: scenario.method ?? 'GET',
      headers: { 'content-type': 'application/json', ...scenario.headers },
    };
    if (scenario.body) opts.body = scenario.body;
    // A fixed number of requests (as fast as the connections allow) instead of a duration.
    if (scenario.amount) {
      opts.amount = scenario.amount;
      delete opts.duration;
    }
    if (scenario.next) {
      opts.requests = [{ setupRequest: (req) => ({ ...req, ...scenario.next() }) }];
    }
    // autocannon ends a run of `amount` requests on its next whole-second tick: when the last
    // response came is the run's true end.
    let lastResponseAt;
    const run = autocannon(opts, (error, result) =>
      error
        ? reject(error)
        : resolve({
            ...result,
            lastResponseAt,
            cpuSeconds: cpuBefore === undefined ? undefined : cpuSecondsOf(pid) - cpuBefore,
            serviceCpu: servicesAfter(servicesBefore, clientBefore),
          }),
    );
    run.on('response', () => {
      lastResponseAt = performance.now();
    });
  });
}

/** What each service used since `before` (a process that ended meanwhile is not counted). */
function servicesAfter(before, clientBefore) {
  if (before === undefined) return undefined;
  const client = process.cpuUsage(clientBefore);
  const used = { postgres: 0, redis: 0, client: (client.user + client.system) / 1e6 };
  for (const [pid, { service, seconds }] of serviceCpuSeconds()) {
    used[service] += seconds - (before.get(pid)?.seconds ?? 0);
  }
  return used;
}

export const summary = (results) => {
  const total = (pick) => results.reduce((sum, r) => sum + pick(r), 0);
  const mean = (pick) => total(pick) / results.length;
  const timedCpu = results.every((r) => r.cpuSeconds !== undefined);
  return {
    // CPU microseconds per answered request of the process measured (NaN when none was given).
    cpuMicros: timedCpu
      ? (total((r) => r.cpuSeconds) * 1e6) / total((r) => r.requests.total)
      : Number.NaN,
    // The same for PostgreSQL, Redis and the load generator, per answered request.
    serviceMicros: results.every((r) => r.serviceCpu !== undefined)
      ? Object.fromEntries(
          ['postgres', 'redis', 'client'].map((service) => [
            service,
            (total((r) => r.serviceCpu[service]) * 1e6) / total((r) => r.requests.total),
          ]),
        )
      : undefined,
    rps: mean((r) => r.requests.average),
    p50: mean((r) => r.latency.p50),
    p99: mean((r) => r.latency.p99),
    non2xx: results.reduce((sum, r) => sum + r.non2xx + r.errors + r.timeouts, 0),
    statuses: results.reduce((all, r) => {
      for (const [status, { count }] of Object.entries(r.statusCodeStats ?? {}))
        all[status] = (all[status] ?? 0) + count;
      return all;
    }, {}),
  };
};

/** An SMTP server that takes every mail and forgets it, so the worker's mail path runs. */
export async function smtpSink() {
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => {
        received++;
        callback();
      });
    },
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${server.server.address().port}`,
    received: () => received,
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}

const MIB = 2 ** 20;

/** RSS and used heap (MiB) of a process, from the prom-client metrics it exports. */
export async function memoryOf(metricsUrl) {
  const text = await (await fetch(metricsUrl)).text();
  const read = (name) => {
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return line ? Number(line.slice(name.length + 1)) / MIB : Number.NaN;
  };
  return {
    rss: read('process_resident_memory_bytes'),
    heap: read('nodejs_heap_size_used_bytes'),
    heapTotal: read('nodejs_heap_size_total_bytes'),
    external: read('nodejs_external_memory_bytes'),
  };
}

export const mib = (n) => `${n.toFixed(0)} MiB`;
