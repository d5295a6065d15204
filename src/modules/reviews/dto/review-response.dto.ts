import { ApiProperty } from '@nestjs/swagger';
import type { ReviewRow } from '../reviews.repository.js';

export class ReviewResponseDto {
  @ApiProperty({ type: 'integer', example: 1 }) id!: number;
  @ApiProperty({ type: 'integer', example: 1 }) product_id!: number;
  @ApiProperty({ type: 'integer', example: 1 }) user_id!: number;
  @ApiProperty({ example: 'alice', description: "The author's current username" })
  username!: string;
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 5, example: 5 }) rating!: number;
  @ApiProperty({ type: String, nullable: true, description: 'Plain text, as written' })
  title!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Plain text, as written' })
  body!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;

  static from(row: ReviewRow): ReviewResponseDto {
    return {
      id: row.id,
      product_id: row.product_id,
      user_id: row.user_id,
      username: row.username,
      rating: row.rating,
      title: row.title,
      body: row.body,
      created_at: row.created_at.toISOString(),
    };
  }
}
