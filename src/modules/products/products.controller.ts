import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Patch,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CacheResponse } from '../../common/cache/cache-response.decorator.js';
import {
  ApiEnvelope,
  ApiErrors,
  ApiNoContent,
} from '../../common/decorators/api-response.decorator.js';
import { Auth } from '../../common/decorators/auth.decorator.js';
import { Public } from '../../common/decorators/public.decorator.js';
import type { ListPage } from '../../common/dto/page.js';
import { ParseIdPipe } from '../../common/pipes/parse-id.pipe.js';
import { BatchProductsDto } from './dto/batch-products.dto.js';
import { CreateProductDto } from './dto/create-product.dto.js';
import { HotProductsQueryDto, ProductListQueryDto } from './dto/product-query.dto.js';
import { ProductResponseDto, ProductStatsDto } from './dto/product-response.dto.js';
import { UpdateProductDto } from './dto/update-product.dto.js';
import { productDetailCache, productListCache } from './products.cache.js';
import { ProductsService } from './products.service.js';

@ApiTags('products')
@Controller('api/products')
export class ProductsController {
  constructor(private readonly products: ProductsService) {}

  @Get()
  @Public()
  @CacheResponse(productListCache)
  @ApiOperation({
    summary: 'Active products: search, filter, sort, page',
    description: 'Default order: newest first; ties broken by id.',
  })
  @ApiEnvelope(ProductResponseDto, { paged: 'keyset' })
  @ApiErrors(400)
  list(@Query() query: ProductListQueryDto): Promise<ListPage<ProductResponseDto>> {
    return this.products.list(query);
  }

  @Get('hot')
  @Public()
  @CacheResponse(productListCache)
  @ApiOperation({
    summary:
      'Best sellers: the top `limit` active products by sales (ties: newest first), of one category if given',
  })
  @ApiEnvelope(ProductResponseDto, { isArray: true })
  @ApiErrors(400)
  hot(@Query() query: HotProductsQueryDto): Promise<ProductResponseDto[]> {
    return this.products.hot(query);
  }

  @Post('batch')
  @Public()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Several products by id: the active ones found, in the order asked' })
  @ApiEnvelope(ProductResponseDto, { isArray: true })
  @ApiErrors(400)
  batch(@Body() dto: BatchProductsDto): Promise<ProductResponseDto[]> {
    return this.products.batch(dto.ids);
  }

  @Get('stats')
  @Auth('admin')
  @ApiOperation({ summary: 'Catalogue totals' })
  @ApiEnvelope(ProductStatsDto)
  stats(): Promise<ProductStatsDto> {
    return this.products.stats();
  }

  @Get(':id')
  @Public()
  @CacheResponse(productDetailCache)
  @ApiOperation({ summary: 'One active product' })
  @ApiEnvelope(ProductResponseDto)
  @ApiErrors(400, 404)
  get(@Param('id', ParseIdPipe) id: number): Promise<ProductResponseDto> {
    return this.products.get(id);
  }

  @Post()
  @Auth('admin')
  @ApiOperation({ summary: 'Create a product' })
  @ApiEnvelope(ProductResponseDto, { status: 201 })
  @ApiErrors(400, 409)
  create(@Body() dto: CreateProductDto): Promise<ProductResponseDto> {
    return this.products.create(dto);
  }

  @Put(':id')
  @Auth('admin')
  @ApiOperation({ summary: 'Replace a product (omitted optional fields become null)' })
  @ApiEnvelope(ProductResponseDto)
  @ApiErrors(400, 404, 409)
  replace(
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: CreateProductDto,
  ): Promise<ProductResponseDto> {
    return this.products.replace(id, dto);
  }

  @Patch(':id')
  @Auth('admin')
  @ApiOperation({ summary: 'Change some fields of a product' })
  @ApiEnvelope(ProductResponseDto)
  @ApiErrors(400, 404, 409)
  patch(
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: UpdateProductDto,
  ): Promise<ProductResponseDto> {
    return this.products.patch(id, dto);
  }

  @Delete(':id')
  @Auth('admin')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Take a product off sale (soft delete: the row stays for past orders)' })
  @ApiNoContent()
  @ApiErrors(400, 404)
  remove(@Param('id', ParseIdPipe) id: number): Promise<void> {
    return this.products.remove(id);
  }
}
