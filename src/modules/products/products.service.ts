import { Injectable } from '@nestjs/common';
import { offsetOf, toPage, type Page } from '../../common/dto/page.js';
import { notFound, validationFailed } from '../../common/errors/domain-error.js';
import { Database } from '../../infra/database/database.js';
import type { CreateProductDto } from './dto/create-product.dto.js';
import type { ProductListQueryDto } from './dto/product-query.dto.js';
import { ProductResponseDto, ProductStatsDto } from './dto/product-response.dto.js';
import type { UpdateProductDto } from './dto/update-product.dto.js';
import { ProductsCache } from './products.cache.js';
import { ProductsRepository, type ProductFields, type ProductRow } from './products.repository.js';

/** Validated numbers with at most two decimals become exact decimal text for NUMERIC. */
const money = (value: number): string => value.toFixed(2);

const toDtos = (rows: readonly ProductRow[]): ProductResponseDto[] =>
  rows.map((row) => ProductResponseDto.from(row));

@Injectable()
export class ProductsService {
  constructor(
    private readonly database: Database,
    private readonly products: ProductsRepository,
    private readonly cache: ProductsCache,
  ) {}

  async get(id: number): Promise<ProductResponseDto> {
    const product = await this.products.findActive(this.database.replica, id);
    if (!product) throw notFound('Product');
    return ProductResponseDto.from(product);
  }

  async list(query: ProductListQueryDto): Promise<Page<ProductResponseDto>> {
    if (
      query.min_price !== undefined &&
      query.max_price !== undefined &&
      query.min_price > query.max_price
    ) {
      throw validationFailed({ min_price: 'min_price must not be greater than max_price' });
    }
    const { rows, total } = await this.products.list(this.database.replica, {
      search: query.search,
      category: query.category,
      min_price: query.min_price,
      max_price: query.max_price,
      sort: query.sort,
      direction: query.order,
      limit: query.page_size,
      offset: offsetOf(query),
    });
    return toPage(toDtos(rows), total, query);
  }

  async hot(limit: number): Promise<ProductResponseDto[]> {
    return toDtos(await this.products.hot(this.database.replica, limit));
  }

  /** The active products among the ids, in the order asked, each once. */
  async batch(ids: readonly number[]): Promise<ProductResponseDto[]> {
    const wanted = [...new Set(ids)];
    const found = new Map(
      (await this.products.findActiveByIds(this.database.replica, wanted)).map((row) => [
        row.id,
        row,
      ]),
    );
    return toDtos(wanted.flatMap((id) => found.get(id) ?? []));
  }

  async stats(): Promise<ProductStatsDto> {
    return ProductStatsDto.from(await this.products.stats(this.database.replica));
  }

  async create(dto: CreateProductDto): Promise<ProductResponseDto> {
    const product = await this.products.create(this.database.pool, {
      name: dto.name,
      description: dto.description ?? null,
      price: money(dto.price),
      stock: dto.stock,
      category: dto.category ?? null,
    });
    // The new id may have been cached as missing by someone guessing it.
    await this.cache.invalidate([product.id]);
    return ProductResponseDto.from(product);
  }

  /** PUT: every field is replaced; an omitted optional field becomes null. */
  replace(id: number, dto: CreateProductDto): Promise<ProductResponseDto> {
    return this.update(id, {
      name: dto.name,
      description: dto.description ?? null,
      price: money(dto.price),
      stock: dto.stock,
      category: dto.category ?? null,
    });
  }

  /** PATCH: only the fields sent change; null clears description or category. */
  patch(id: number, dto: UpdateProductDto): Promise<ProductResponseDto> {
    const fields: Partial<ProductFields> = {};
    if (dto.name !== undefined) fields.name = dto.name;
    if (dto.description !== undefined) fields.description = dto.description;
    if (dto.price !== undefined) fields.price = money(dto.price);
    if (dto.stock !== undefined) fields.stock = dto.stock;
    if (dto.category !== undefined) fields.category = dto.category;
    return this.update(id, fields);
  }

  async remove(id: number): Promise<void> {
    if (!(await this.products.deactivate(this.database.pool, id))) throw notFound('Product');
    await this.cache.invalidate([id]);
  }

  private async update(id: number, fields: Partial<ProductFields>): Promise<ProductResponseDto> {
    const product = await this.products.update(this.database.pool, id, fields);
    if (!product) throw notFound('Product');
    await this.cache.invalidate([id]);
    return ProductResponseDto.from(product);
  }
}
