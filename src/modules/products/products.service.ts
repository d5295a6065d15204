import { Injectable } from '@nestjs/common';
import { listStart, toKeysetPage, type ListPage } from '../../common/dto/page.js';
import { notFound, validationFailed } from '../../common/errors/domain-error.js';
import { Database } from '../../infra/database/database.js';
import type { CreateProductDto } from './dto/create-product.dto.js';
import type { HotProductsQueryDto, ProductListQueryDto } from './dto/product-query.dto.js';
import { ProductResponseDto, ProductStatsDto } from './dto/product-response.dto.js';
import type { UpdateProductDto } from './dto/update-product.dto.js';
import { listPriceErrors } from './list-price.js';
import { ProductsCache } from './products.cache.js';
import { ProductsRepository, type ProductFields, type ProductRow } from './products.repository.js';

/** Validated numbers with at most two decimals become exact decimal text for NUMERIC. */
const money = (value: number): string => value.toFixed(2);
const optionalMoney = (value: number | null | undefined): string | null =>
  value === undefined || value === null ? null : money(value);

const toDtos = (rows: readonly ProductRow[]): ProductResponseDto[] =>
  rows.map((row) => ProductResponseDto.from(row));

/** POST and PUT: the whole body, an omitted optional field null (is_featured false). */
const allFields = (dto: CreateProductDto): ProductFields => {
  const fields: ProductFields = {
    name: dto.name,
    description: dto.description ?? null,
    price: money(dto.price),
    stock: dto.stock,
    category: dto.category ?? null,
    sku: dto.sku ?? null,
    brand: dto.brand ?? null,
    original_price: optionalMoney(dto.original_price),
    image_url: dto.image_url ?? null,
    is_featured: dto.is_featured ?? false,
  };
  const errors = listPriceErrors(fields.price, fields.original_price, 'original_price');
  if (errors) throw validationFailed(errors);
  return fields;
};

/** PATCH: only the fields sent; null clears an optional field. */
const sentFields = (dto: UpdateProductDto): Partial<ProductFields> => {
  const fields: Partial<ProductFields> = {};
  if (dto.name !== undefined) fields.name = dto.name;
  if (dto.description !== undefined) fields.description = dto.description;
  if (dto.price !== undefined) fields.price = money(dto.price);
  if (dto.stock !== undefined) fields.stock = dto.stock;
  if (dto.category !== undefined) fields.category = dto.category;
  if (dto.sku !== undefined) fields.sku = dto.sku;
  if (dto.brand !== undefined) fields.brand = dto.brand;
  if (dto.original_price !== undefined) fields.original_price = optionalMoney(dto.original_price);
  if (dto.image_url !== undefined) fields.image_url = dto.image_url;
  if (dto.is_featured !== undefined) fields.is_featured = dto.is_featured;
  return fields;
};

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

  /** Whether a product is on sale (for routes about it, such as its reviews). */
  async isActive(id: number): Promise<boolean> {
    return (await this.products.findActive(this.database.pool, id)) !== null;
  }

  async list(query: ProductListQueryDto): Promise<ListPage<ProductResponseDto>> {
    if (
      query.min_price !== undefined &&
      query.max_price !== undefined &&
      query.min_price > query.max_price
    ) {
      throw validationFailed({ min_price: 'min_price must not be greater than max_price' });
    }
    // A cursor is of one sort and direction; a cursor of another is refused.
    const scope = `products:${query.sort}:${query.order}`;
    const { rows, total } = await this.products.list(this.database.replica, {
      search: query.search,
      category: query.category,
      brand: query.brand,
      is_featured: query.is_featured,
      min_price: query.min_price,
      max_price: query.max_price,
      sort: query.sort,
      direction: query.order,
      limit: query.page_size,
      start: listStart(query, scope),
    });
    return toKeysetPage(
      rows,
      query,
      scope,
      (row) => ({ key: row.sort_key, id: row.id }),
      (row) => ProductResponseDto.from(row),
      total,
    );
  }

  async hot(query: HotProductsQueryDto): Promise<ProductResponseDto[]> {
    return toDtos(await this.products.hot(this.database.replica, query.limit, query.category));
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
    const product = await this.products.create(this.database.pool, allFields(dto));
    // The new id may have been cached as missing by someone guessing it.
    await this.cache.invalidate([product.id]);
    return ProductResponseDto.from(product);
  }

  /** PUT: every field is replaced; an omitted optional field becomes null. */
  async replace(id: number, dto: CreateProductDto): Promise<ProductResponseDto> {
    const product = await this.products.update(this.database.pool, id, allFields(dto));
    return this.changed(id, product);
  }

  /**
   * PATCH: only the fields sent change. A change of the price or of the list price, but not
   * both, is checked against the stored other one, under the product's row lock so that two
   * such changes cannot each pass against the value the other replaces.
   */
  async patch(id: number, dto: UpdateProductDto): Promise<ProductResponseDto> {
    const fields = sentFields(dto);
    if ((fields.price === undefined) === (fields.original_price === undefined)) {
      const errors =
        fields.price === undefined
          ? null
          : listPriceErrors(fields.price, fields.original_price ?? null, 'original_price');
      if (errors) throw validationFailed(errors);
      return this.changed(id, await this.products.update(this.database.pool, id, fields));
    }
    const product = await this.database.transaction(async (tx) => {
      const stored = await this.products.lockActive(tx, id);
      if (!stored) return null;
      const errors = listPriceErrors(
        fields.price ?? stored.price,
        fields.original_price === undefined ? stored.original_price : fields.original_price,
        fields.price === undefined ? 'original_price' : 'price',
      );
      if (errors) throw validationFailed(errors);
      return this.products.update(tx, id, fields);
    });
    return this.changed(id, product);
  }

  async remove(id: number): Promise<void> {
    if (!(await this.products.deactivate(this.database.pool, id))) throw notFound('Product');
    await this.cache.invalidate([id]);
  }

  private async changed(id: number, product: ProductRow | null): Promise<ProductResponseDto> {
    if (!product) throw notFound('Product');
    await this.cache.invalidate([id]);
    return ProductResponseDto.from(product);
  }
}
