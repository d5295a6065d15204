import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import nodemailer, { type Transporter } from 'nodemailer';
import CircuitBreaker from 'opossum';
import type { Gauge } from 'prom-client';
import { InjectConfig, type AppConfig } from '../../config/app-config.js';

export const MAIL_CIRCUIT_METRIC = 'mail_circuit_state';
export const MAIL_REJECTED_METRIC = 'mail_rejected_total';

/**
 * A permanent refusal of this mail's recipient (a 5xx reply to RCPT TO, e.g. "550 no such
 * user"): retrying cannot help, and it says nothing about the server's health, so it neither
 * retries nor counts against the circuit. 4xx replies, refused connections, timeouts and a 5xx
 * to anything else (MAIL FROM, AUTH: the server's or our configuration) stay server failures.
 */
export function isRecipientRejection(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code, command, responseCode } = error as {
    code?: unknown;
    command?: unknown;
    responseCode?: unknown;
  };
  return (
    code === 'EENVELOPE' &&
    command === 'RCPT TO' &&
    typeof responseCode === 'number' &&
    responseCode >= 500 &&
    responseCode < 600
  );
}

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Deterministic, so that a mail sent twice after a crash can be recognised downstream. */
  messageId: string;
}

/** 0 closed (sending), 1 half-open (trying one), 2 open (not trying: SMTP is failing). */
const STATE = { closed: 0, halfOpen: 1, open: 2 } as const;

/**
 * SMTP through nodemailer behind an opossum circuit breaker: after repeated failures the
 * breaker opens and mails fail at once (their jobs retry later with backoff) instead of every
 * job waiting on a dead server; it lets one attempt through every resetTimeout to probe. A
 * recipient the server refuses for good is that mail's failure, not the server's: it passes
 * the breaker's errorFilter and does not count.
 */
@Injectable()
export class MailTransport implements OnModuleDestroy {
  private readonly logger = new Logger(MailTransport.name);
  private readonly transport: Transporter;
  private readonly breaker: CircuitBreaker<[OutgoingMail]>;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    @InjectMetric(MAIL_CIRCUIT_METRIC) state: Gauge,
  ) {
    this.transport = nodemailer.createTransport({
      url: config.mail.smtpUrl,
      connectionTimeout: 5000,
      greetingTimeout: 5000,
      socketTimeout: 10_000,
    });
    this.breaker = new CircuitBreaker((mail: OutgoingMail) => this.deliver(mail), {
      timeout: 15_000,
      volumeThreshold: 3,
      errorThresholdPercentage: 50,
      resetTimeout: 10_000,
      errorFilter: isRecipientRejection,
    });
    state.set(STATE.closed);
    this.breaker.on('open', () => {
      state.set(STATE.open);
      this.logger.warn('SMTP failing: mail circuit open');
    });
    this.breaker.on('halfOpen', () => {
      state.set(STATE.halfOpen);
    });
    this.breaker.on('close', () => {
      state.set(STATE.closed);
      this.logger.log('SMTP answering again: mail circuit closed');
    });
  }

  async send(mail: OutgoingMail): Promise<void> {
    await this.breaker.fire(mail);
  }

  private deliver(mail: OutgoingMail): Promise<unknown> {
    return this.transport.sendMail({ from: this.config.mail.from, ...mail });
  }

  onModuleDestroy(): void {
    this.breaker.shutdown();
    this.transport.close();
  }
}
