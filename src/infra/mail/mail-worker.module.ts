import { Module } from '@nestjs/common';
import { makeCounterProvider, makeGaugeProvider } from '@willsoto/nestjs-prometheus';
import { MailDeliveriesRepository } from './mail-deliveries.repository.js';
import { MailLinks } from './mail-links.js';
import { MAIL_CIRCUIT_METRIC, MAIL_REJECTED_METRIC, MailTransport } from './mail-transport.js';
import { MailProcessor } from './mail.processor.js';

/** The email queue's processor and what it needs to send; loaded where workers run. */
@Module({
  providers: [
    MailTransport,
    MailDeliveriesRepository,
    MailLinks,
    MailProcessor,
    makeGaugeProvider({
      name: MAIL_CIRCUIT_METRIC,
      help: 'Mail circuit breaker state: 0 closed (sending), 1 half-open (probing), 2 open (SMTP failing)',
    }),
    makeCounterProvider({
      name: MAIL_REJECTED_METRIC,
      help: 'Mails whose recipient the SMTP server refused for good (5xx to RCPT TO); not retried',
    }),
  ],
})
export class MailWorkerModule {}
