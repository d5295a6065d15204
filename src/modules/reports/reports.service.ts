import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { DomainError, notFound, validationFailed } from '../../common/errors/domain-error.js';
import { withTimeout } from '../../common/async/with-timeout.js';
import { parseIsoDate } from '../../common/validation/iso-date.js';
import { Database } from '../../infra/database/database.js';
import { currentJobMeta } from '../../infra/queue/job-context.js';
import { JOBS, QUEUES, type SalesReportJob } from '../../infra/queue/queues.js';
import {
  SalesReportDto,
  type ReportStatus,
  type ReportStatusDto,
  type SalesReportRequestDto,
} from './dto/sales-report.dto.js';
import { ReportsRepository } from './reports.repository.js';

const QUEUE_TIMEOUT_MS = 2000;

const STATUS: Record<string, ReportStatus> = {
  waiting: 'waiting',
  delayed: 'waiting',
  prioritized: 'waiting',
  'waiting-children': 'waiting',
  active: 'active',
  completed: 'completed',
  failed: 'failed',
};

/**
 * The UTC day (YYYY-MM-DD) a date or date-time names; the DTO checked its shape. A day that is
 * not on the calendar, or a year PostgreSQL has not, is a 400 here rather than a job that fails.
 */
const parseDay = (field: string, value: string): string => {
  const parsed = parseIsoDate(value);
  if (!parsed) throw validationFailed({ [field]: `${field} is not a calendar date` });
  return parsed.at.toISOString().slice(0, 10);
};

/** Reports are computed by a queued job: queued and read here, computed by salesReport. */
@Injectable()
export class ReportsService {
  constructor(
    @InjectQueue(QUEUES.reports) private readonly queue: Queue,
    private readonly database: Database,
    private readonly reports: ReportsRepository,
  ) {}

  async requestSales(dto: SalesReportRequestDto): Promise<string> {
    const start = parseDay('start_date', dto.start_date);
    const end = parseDay('end_date', dto.end_date);
    if (end < start) throw validationFailed({ end_date: 'end_date must not be before start_date' });
    const data: SalesReportJob = {
      start_date: start,
      end_date: end,
      ...currentJobMeta(),
    };
    const job = await this.queued(this.queue.add(JOBS.salesReport, data, { attempts: 3 }));
    if (job.id === undefined)
      throw new DomainError('unavailable', 'The report could not be queued');
    return job.id;
  }

  async salesStatus(jobId: string): Promise<ReportStatusDto> {
    // The state first: a job read after its state said "completed" carries its result.
    const state = await this.queued(this.queue.getJobState(jobId));
    const job = state === 'unknown' ? undefined : await this.queued(this.queue.getJob(jobId));
    if (job?.name !== JOBS.salesReport) throw notFound('Report');
    const status = STATUS[state] ?? 'waiting';
    return { status, result: status === 'completed' ? (job.returnvalue as SalesReportDto) : null };
  }

  /** The report itself, run by the job; a read, so running it twice is harmless. */
  async salesReport(startDate: string, endDate: string): Promise<SalesReportDto> {
    const db = this.database.replica;
    const [totals, top] = await Promise.all([
      this.reports.salesTotals(db, startDate, endDate),
      this.reports.topProducts(db, startDate, endDate),
    ]);
    return SalesReportDto.from(totals, top);
  }

  private async queued<T>(work: Promise<T>): Promise<T> {
    try {
      return await withTimeout(work, QUEUE_TIMEOUT_MS);
    } catch {
      throw new DomainError('unavailable', 'The report queue is unavailable; retry shortly');
    }
  }
}
