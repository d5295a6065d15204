import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiEnvelope, ApiErrors } from '../../common/decorators/api-response.decorator.js';
import { Auth } from '../../common/decorators/auth.decorator.js';
import { validationFailed } from '../../common/errors/domain-error.js';
import { ID_PATTERN, parseId } from '../../common/validation/id.js';
import { ReportJobDto, ReportStatusDto, SalesReportRequestDto } from './dto/sales-report.dto.js';
import { ReportsService } from './reports.service.js';

@ApiTags('reports')
@Auth('admin')
@Controller('api/reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Post('sales')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Queue a sales report',
    description:
      'Orders placed between the two days (UTC, inclusive) and paid for: paid, shipped or completed.',
  })
  @ApiEnvelope(ReportJobDto, { status: 202 })
  @ApiErrors(400, 503)
  async requestSales(@Body() dto: SalesReportRequestDto): Promise<ReportJobDto> {
    return { job_id: await this.reports.requestSales(dto) };
  }

  @Get('sales/:job_id')
  @ApiParam({
    name: 'job_id',
    description: 'The job_id its POST answered',
    schema: { type: 'string', pattern: ID_PATTERN.source },
  })
  @ApiOperation({ summary: 'The state of a sales report job, and its result once completed' })
  @ApiEnvelope(ReportStatusDto)
  @ApiErrors(400, 404, 503)
  salesStatus(@Param('job_id') jobId: string): Promise<ReportStatusDto> {
    // BullMQ's ids of added jobs are positive integers, written as path ids are.
    if (parseId(jobId) === undefined) {
      throw validationFailed({ job_id: 'job_id must be a report job id (a positive integer)' });
    }
    return this.reports.salesStatus(jobId);
  }
}
