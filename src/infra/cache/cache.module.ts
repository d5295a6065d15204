import { Global, Module } from '@nestjs/common';
import { ReadCounts } from './read-counts.js';
import { ResponseCache } from './response-cache.js';

@Global()
@Module({ providers: [ResponseCache, ReadCounts], exports: [ResponseCache, ReadCounts] })
export class CacheModule {}
