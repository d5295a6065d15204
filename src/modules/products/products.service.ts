import { Injectable } from '@nestjs/common';
import { notFound, validationFailed } from '../../common/errors/domain-error.js';
import type { CreateProductDto } from './dto/create-product.dto.js';
import type { ProductListQueryDto } from './dto/product-query.dto.js';
import type { ProductRow } from './dto/product-response.dto.js';
import type { UpdateProductDto } from './dto/update-product.dto.js';
import { ProductsCache } from './products.cache.js';
import {
  ProductsRepository,
  type ProductFields,
  type ProductStats,
} from './products.repository.js';

/** Validated numbers with at most two decimals become exact decimal text for NUMERIC. */
const money = (value: number): string => value.toFixed(2);

@Injectable()
export class ProductsService {
  constructor(
    private readonly products: ProductsRepository,
    private readonly cache: ProductsCache,
  ) {}

  async get(id: number): Promise<ProductRow> {
    const product = await this.products.findActive(id);
    if (!product) throw notFound('Product');
    return product;
  }

  list(query: ProductListQueryDto): Promise<{ rows: ProductRow[]; total: number }> {
    if (
      query.min_price !== undefined &&
      query.max_price !== undefined &&
      query.min_price > query.max_price
    ) {
      throw validationFailed({ min_price: 'min_price must not be greater than max_price' });
    }
    return this.products.list(query);
  }

  hot(limit: number): Promise<ProductRow[]> {
    return this.products.hot(limit);
  }

  /** The active products among the ids, in the order asked, each once. */
  async batch(ids: number[]): Promise<ProductRow[]> {
    const wanted = [...new Set(ids)];
    const found = new Map(
      (await this.products.findActiveByIds(wanted)).map((row) => [row.id, row]),
    );
    return wanted.flatMap((id) => found.get(id) ?? []);
  }

  stats(): Promise<ProductStats> {
    return this.products.stats();
  }

  async create(dto: CreateProductDto): Promise<ProductRow> {
    const product = await this.products.create({
      name: dto.name,
      description: dto.description ?? null,
      price: money(dto.price),
      stock: dto.stock,
      category: dto.category ?? null,
    });
    // The new id may have been cached as missing by someone guessing it.
    await this.cache.invalidate([product.id]);
    return product;
  }

  /** PUT: every field is replaced; an omitted optional field becomes null. */
  replace(id: number, dto: CreateProductDto): Promise<ProductRow> {
    return this.update(id, {
      name: dto.name,
      description: dto.description ?? null,
      price: money(dto.price),
      stock: dto.stock,
      category: dto.category ?? null,
    });
  }

  /** PATCH: only the fields sent change; null clears description or category. */
  patch(id: number, dto: UpdateProductDto): Promise<ProductRow> {
    const fields: Partial<ProductFields> = {};
    if (dto.name !== undefined) fields.name = dto.name;
    if (dto.description !== undefined) fields.description = dto.description;
    if (dto.price !== undefined) fields.price = money(dto.price);
    if (dto.stock !== undefined) fields.stock = dto.stock;
    if (dto.category !== undefined) fields.category = dto.category;
    return this.update(id, fields);
  }

  async remove(id: number): Promise<void> {
    if (!(await this.products.deactivate(id))) throw notFound('Product');
    await this.cache.invalidate([id]);
  }

  private async update(id: number, fields: Partial<ProductFields>): Promise<ProductRow> {
    const product = await this.products.update(id, fields);
    if (!product) throw notFound('Product');
    await this.cache.invalidate([id]);
    return product;
  }
}
