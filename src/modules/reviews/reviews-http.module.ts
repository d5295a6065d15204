import { Module } from '@nestjs/common';
import { ReviewsController } from './reviews.controller.js';
import { ReviewsModule } from './reviews.module.js';

@Module({ imports: [ReviewsModule], controllers: [ReviewsController] })
export class ReviewsHttpModule {}
