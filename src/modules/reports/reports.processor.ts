import { Processor } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { BoundedWorkerHost } from '../../infra/queue/bounded-worker-host.js';
import { QUEUES, type SalesReportJob } from '../../infra/queue/queues.js';
import type { SalesReportDto } from './dto/sales-report.dto.js';
import { ReportsService } from './reports.service.js';

/** Computes a sales report; a read, so running twice is harmless. */
@Processor(QUEUES.reports, { concurrency: 2 })
export class ReportsProcessor extends BoundedWorkerHost {
  constructor(private readonly reports: ReportsService) {
    super();
  }

  protected handle(job: Job<SalesReportJob>): Promise<SalesReportDto> {
    return this.reports.salesReport(job.data.start_date, job.data.end_date);
  }
}
