import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { PageQueryDto } from '../../../common/dto/page.js';
import { ORDER_STATUSES, type OrderStatus } from '../order.entity.js';

export class OrderListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ORDER_STATUSES })
  @IsOptional()
  @IsIn(ORDER_STATUSES, { message: `status must be one of ${ORDER_STATUSES.join(', ')}` })
  status?: OrderStatus;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    description: 'Admins only: list this user’s orders instead of their own',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'user_id must be a positive integer' })
  @Min(1, { message: 'user_id must be a positive integer' })
  @Max(Number.MAX_SAFE_INTEGER, { message: 'user_id must be a positive integer' })
  user_id?: number;
}
