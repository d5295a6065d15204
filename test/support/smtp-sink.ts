import { SMTPServer } from 'smtp-server';
import { freePort } from './processes.js';

export interface ReceivedMail {
  to: string[];
  subject: string;
  messageId: string;
  /** The whole message with quoted-printable undone, for finding text and links. */
  body: string;
  /** When it was accepted (Date.now()). */
  at: number;
}

const decodeQuotedPrintable = (text: string): string =>
  text
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

const header = (raw: string, name: string): string => {
  const match = new RegExp(`^${name}:\\s*(.*(?:\\r?\\n[ \\t].*)*)`, 'mi').exec(raw);
  return (match?.[1] ?? '').replace(/\r?\n[ \t]/g, ' ').trim();
};

/**
 * A real SMTP server in the test process (the smtp-server package): records what it receives,
 * can be stopped and started again on its port (an outage), and can answer slowly.
 */
export class SmtpSink {
  readonly messages: ReceivedMail[] = [];
  /** Milliseconds to hold each message before accepting it. */
  delayMs = 0;
  /** Replies to RCPT TO for refused recipients, and how many more times to give them. */
  private readonly refusals = new Map<string, { code: number; times: number }>();
  private server: SMTPServer | undefined;

  private constructor(readonly port: number) {}

  static async start(): Promise<SmtpSink> {
    const sink = new SmtpSink(await freePort());
    await sink.restart();
    return sink;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async restart(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo: (address, _session, callback) => {
        const refusal = this.refusals.get(address.address.toLowerCase());
        if (!refusal || refusal.times <= 0) {
          callback();
          return;
        }
        refusal.times -= 1;
        const permanent = refusal.code >= 500;
        callback(
          Object.assign(
            new Error(
              permanent
                ? `5.1.1 <${address.address}>: Recipient address rejected: no such user`
                : `4.2.1 <${address.address}>: Mailbox busy, try again later`,
            ),
            { responseCode: refusal.code },
          ),
        );
      },
      onData: (stream, session, callback) => {
        let raw = '';
        stream.on('data', (chunk: Buffer) => {
          raw += chunk.toString();
        });
        stream.on('end', () => {
          setTimeout(() => {
            const body = decodeQuotedPrintable(raw);
            this.messages.push({
              to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
              subject: header(body, 'Subject'),
              messageId: header(body, 'Message-ID'),
              body,
              at: Date.now(),
            });
            callback();
          }, this.delayMs);
        });
      },
    });
    server.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      server.listen(this.port, '127.0.0.1', () => {
        resolve();
      });
      server.once('error', reject);
    });
    this.server = server;
  }

  /**
   * Answers RCPT TO for this address with `code` (550: refused for good; 4xx: try later),
   * `times` times (every time by default), as a real relay does for a bad or busy mailbox.
   */
  refuse(address: string, code = 550, times = Number.POSITIVE_INFINITY): void {
    this.refusals.set(address.toLowerCase(), { code, times });
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server)
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
  }

  to(address: string): ReceivedMail[] {
    return this.messages.filter((mail) => mail.to.includes(address));
  }

  /** Waits until `count` mails to the address match, then returns them. */
  async waitFor(
    address: string,
    subject: RegExp,
    count = 1,
    timeoutMs = 15_000,
  ): Promise<ReceivedMail[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.to(address).filter((mail) => subject.test(mail.subject));
      if (found.length >= count) return found;
      if (Date.now() > deadline) {
        throw new Error(
          `no ${count} mail(s) "${subject.source}" to ${address} within ${timeoutMs} ms (got: ${
            this.to(address)
              .map((m) => m.subject)
              .join(', ') || 'none'
          })`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** The token in a mailed link such as APP_URL/verify-email?token=... */
export function linkToken(mail: ReceivedMail, page: 'verify-email' | 'reset-password'): string {
  const match = new RegExp(`/${page}\\?token=([A-Za-z0-9_-]+)`).exec(mail.body);
  if (!match?.[1]) throw new Error(`no ${page} link in "${mail.subject}"`);
  return match[1];
}

/** Polls until the check passes or the time is up. */
export async function eventually<T>(
  check: () => T | Promise<T>,
  timeoutMs = 15_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  }
}
