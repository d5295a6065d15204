import { Module } from '@nestjs/common';
import { makeGaugeProvider } from '@willsoto/nestjs-prometheus';
import { MailDeliveriesRepository } from './mail-deliveries.repository.js';
import { MAIL_CIRCUIT_METRIC, MailTransport } from './mail-transport.js';
import { MailProcessor } from './mail.processor.js';

/** The email queue's processor and what it needs to send; loaded where workers run. */
@Module({
  providers: [
    MailTransport,
    MailDeliveriesRepository,
    MailProcessor,
    makeGaugeProvider({
      name: MAIL_CIRCUIT_METRIC,
      help: 'Mail circuit breaker state: 0 closed (sending), 1 half-open (probing), 2 open (SMTP failing)',
    }),
  ],
})
export class MailWorkerModule {}
