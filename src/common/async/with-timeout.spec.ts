import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TimeoutError, withTimeout } from './with-timeout.js';

/** Keeps the event loop busy, as a burst of work on the main thread does. */
const block = (ms: number): void => {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy
  }
};

const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

const ECHO_SERVER = `
  const server = require('node:net').createServer((socket) => socket.pipe(socket));
  server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

/** A socket to a server in another process (as Redis is) that sends back what it receives. */
async function echo(): Promise<Socket> {
  const child = spawn(process.execPath, ['-e', ECHO_SERVER], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [port] = (await once(child.stdout, 'data')) as [Buffer];
  const socket = new Socket();
  socket.on('error', () => undefined);
  socket.connect(Number(String(port).trim()), '127.0.0.1');
  await once(socket, 'connect');
  closers.push(() => {
    socket.destroy();
    child.kill();
  });
  return socket;
}

describe('withTimeout', () => {
  it('passes on the answer, or rejects with a TimeoutError once the time is up', async () => {
    await expect(withTimeout(Promise.resolve(7), 50)).resolves.toBe(7);
    await expect(withTimeout(new Promise(() => undefined), 20)).rejects.toBeInstanceOf(
      TimeoutError,
    );
  });

  it('takes an answer that arrived while the event loop was busy past the deadline', async () => {
    const socket = await echo();
    const answer = once(socket, 'data').then(([data]) => String(data));
    const timed = withTimeout(answer, 30);
    socket.write('x');
    // The echo arrives within a millisecond, but is only read after this block, when the timer
    // is overdue (before, that timed it out).
    block(200);
    await expect(timed).resolves.toBe('x');
  });

  it('waits for a command sent only in the setImmediate phase, as ioredis auto-pipelines', async () => {
    const socket = await echo();
    let lagging = true;
    const busy = (): void => {
      block(60);
      if (lagging) setImmediate(busy);
    };
    setImmediate(busy);
    try {
      const timed = withTimeout(
        once(socket, 'data').then(([data]) => String(data)),
        30,
      );
      setImmediate(() => socket.write('y'));
      await expect(timed).resolves.toBe('y');
    } finally {
      lagging = false;
    }
  });
});
