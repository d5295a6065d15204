import { Module } from '@nestjs/common';
import { ReportsModule } from './reports.module.js';
import { ReportsProcessor } from './reports.processor.js';

@Module({ imports: [ReportsModule], providers: [ReportsProcessor] })
export class ReportsWorkerModule {}
