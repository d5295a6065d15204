import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ApiEnvelope,
  ApiErrors,
  ApiNoContent,
} from '../../common/decorators/api-response.decorator.js';
import { Auth } from '../../common/decorators/auth.decorator.js';
import { CurrentUser, type AuthUser } from '../../common/decorators/current-user.decorator.js';
import { Public } from '../../common/decorators/public.decorator.js';
import { PageQueryDto, type Page } from '../../common/dto/page.js';
import { ParseIdPipe } from '../../common/pipes/parse-id.pipe.js';
import { CreateReviewDto } from './dto/create-review.dto.js';
import { ReviewResponseDto } from './dto/review-response.dto.js';
import { ReviewsService } from './reviews.service.js';

@ApiTags('reviews')
@Controller('api')
export class ReviewsController {
  constructor(private readonly reviews: ReviewsService) {}

  @Post('products/:id/reviews')
  @Auth()
  @ApiOperation({
    summary: 'Review a product you received',
    description:
      'Only a customer with a completed order of the product (403 otherwise), once (409). ' +
      "Updates the product's rating and review_count in the same transaction.",
  })
  @ApiEnvelope(ReviewResponseDto, { status: 201 })
  @ApiErrors(400, 403, 404, 409)
  create(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: CreateReviewDto,
  ): Promise<ReviewResponseDto> {
    return this.reviews.create(user, id, dto);
  }

  @Get('products/:id/reviews')
  @Public()
  @ApiOperation({ summary: "A product's reviews, newest first" })
  @ApiEnvelope(ReviewResponseDto, { paged: true })
  @ApiErrors(400, 404)
  list(
    @Param('id', ParseIdPipe) id: number,
    @Query() query: PageQueryDto,
  ): Promise<Page<ReviewResponseDto>> {
    return this.reviews.list(id, query);
  }

  @Delete('reviews/:id')
  @Auth()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a review (its author or an admin)' })
  @ApiNoContent()
  @ApiErrors(400, 403, 404)
  remove(@CurrentUser() user: AuthUser, @Param('id', ParseIdPipe) id: number): Promise<void> {
    return this.reviews.remove(user, id);
  }
}
