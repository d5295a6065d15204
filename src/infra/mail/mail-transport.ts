import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Gauge } from 'prom-client';
import { InjectConfig, type AppConfig } from '../../config/app-config.js';
import { Circuit, CIRCUIT_STATE } from '../resilience/circuit.js';

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

/**
 * SMTP through nodemailer behind an opossum circuit breaker: after repeated failures the
 * breaker opens and mails fail at once with CircuitOpenError instead of every job waiting on a
 * dead server; their jobs are postponed to the breaker's next probe (every 10 s one attempt
 * goes through) without spending an attempt, so mail resumes within seconds of SMTP's return
 * however long it was away. A recipient the server refuses for good is that mail's failure,
 * not the server's: it does not count against the breaker.
 */
@Injectable()
export class MailTransport implements OnModuleDestroy {
  private readonly logger = new Logger(MailTransport.name);
  private readonly transport: Transporter;
  private readonly circuit: Circuit<[OutgoingMail], unknown>;

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
    let wasOpen = false;
    this.circuit = new Circuit('SMTP', (mail: OutgoingMail) => this.deliver(mail), {
      timeoutMs: 15_000,
      volumeThreshold: 3,
      errorThresholdPercentage: 50,
      resetTimeoutMs: 10_000,
      isCallersError: isRecipientRejection,
      onStateChange: (now) => {
        state.set(now);
        if (now === CIRCUIT_STATE.open && !wasOpen)
          this.logger.warn('SMTP failing: mail circuit open');
        if (now === CIRCUIT_STATE.closed && wasOpen)
          this.logger.log('SMTP answering again: mail circuit closed');
        if (now !== CIRCUIT_STATE.halfOpen) wasOpen = now === CIRCUIT_STATE.open;
      },
    });
  }

  /** Throws CircuitOpenError while SMTP is known to be down (see BoundedWorkerHost). */
  async send(mail: OutgoingMail): Promise<void> {
    await this.circuit.fire(mail);
  }

  private deliver(mail: OutgoingMail): Promise<unknown> {
    return this.transport.sendMail({ from: this.config.mail.from, ...mail });
  }

  onModuleDestroy(): void {
    this.circuit.shutdown();
    this.transport.close();
  }
}
