import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Catalog detail (CONTRACT §8): sku, brand, list price, image, featured flag, the rating kept
 * from reviews and the views written back from Redis; the reviews themselves.
 *
 * - `sku` is unique, without regard to case, among the products on sale that have one: a
 *   deleted product's SKU may be given to the product that replaces it.
 * - The rating is kept as `rating_sum` and `review_count` (exact integers) and the mean in
 *   hundredths (`rating_hundredths`, what the wire shows times 100), written together by the
 *   review's transaction; the CHECK keeps the three consistent.
 * - Sort indexes follow ProductSortIndexes: `(column, id) WHERE is_active`, scanned backwards for
 *   descending orders. Rating sorts put unrated products last in both directions, which one
 *   b-tree cannot serve backwards (NULLS LAST turns into NULLS FIRST), so descending has its own.
 * - A featured filter is an index over the featured products only (newest first, the storefront
 *   default); one on the boolean itself would hold half the catalogue per value.
 */
export class CatalogDetail1764700000000 implements MigrationInterface {
  name = 'CatalogDetail1764700000000';

  public async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE "products"
        ADD "sku" varchar(64),
        ADD "brand" varchar(100),
        ADD "original_price" numeric(12,2),
        ADD "image_url" varchar(2048),
        ADD "is_featured" boolean NOT NULL DEFAULT false,
        ADD "rating_sum" integer NOT NULL DEFAULT 0,
        ADD "review_count" integer NOT NULL DEFAULT 0,
        ADD "rating_hundredths" smallint,
        ADD "views" bigint NOT NULL DEFAULT 0,
        ADD CONSTRAINT "products_original_price_check"
          CHECK ("original_price" IS NULL OR "original_price" >= "price"),
        ADD CONSTRAINT "products_rating_check"
          CHECK ("review_count" >= 0 AND "rating_sum" BETWEEN "review_count" AND 5 * "review_count" AND ("rating_hundredths" IS NULL) = ("review_count" = 0) AND ("rating_hundredths" IS NULL OR "rating_hundredths" BETWEEN 100 AND 500)),
        ADD CONSTRAINT "products_views_check" CHECK ("views" >= 0)`);
    await db.query(
      `CREATE UNIQUE INDEX "products_sku_uq" ON "products" (upper("sku")) WHERE "sku" IS NOT NULL AND "is_active"`,
    );
    await db.query(
      `CREATE INDEX "products_sort_views_idx" ON "products" ("views", "id") WHERE "is_active"`,
    );
    await db.query(
      `CREATE INDEX "products_sort_rating_idx" ON "products" ("rating_hundredths", "id") WHERE "is_active"`,
    );
    await db.query(
      `CREATE INDEX "products_sort_rating_desc_idx" ON "products" ("rating_hundredths" DESC NULLS LAST, "id" DESC) WHERE "is_active"`,
    );
    await db.query(
      `CREATE INDEX "products_brand_idx" ON "products" ("brand", "id") WHERE "is_active"`,
    );
    await db.query(
      `CREATE INDEX "products_featured_idx" ON "products" ("created_at", "id") WHERE "is_active" AND "is_featured"`,
    );
    // Hot products of one category: an index range in sales order.
    await db.query(
      `CREATE INDEX "products_hot_category_idx" ON "products" ("category", "sales", "id") WHERE "is_active"`,
    );

    await db.query(`
      CREATE TABLE "reviews" (
        "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
        "product_id" bigint NOT NULL,
        "user_id" bigint NOT NULL,
        "rating" smallint NOT NULL,
        "title" varchar(200),
        "body" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_reviews" PRIMARY KEY ("id"),
        CONSTRAINT "reviews_product_user_uq" UNIQUE ("product_id", "user_id"),
        CONSTRAINT "reviews_rating_check" CHECK ("rating" BETWEEN 1 AND 5),
        CONSTRAINT "reviews_body_check" CHECK (char_length("body") <= 5000),
        CONSTRAINT "reviews_product_id_fk" FOREIGN KEY ("product_id")
          REFERENCES "products" ("id") ON DELETE RESTRICT,
        CONSTRAINT "reviews_user_id_fk" FOREIGN KEY ("user_id")
          REFERENCES "users" ("id") ON DELETE CASCADE
      )`);
    // A product's reviews newest first; the unique constraint serves (product, user) look-ups.
    await db.query(
      `CREATE INDEX "reviews_product_created_idx" ON "reviews" ("product_id", "created_at", "id")`,
    );
    await db.query(`CREATE INDEX "reviews_user_idx" ON "reviews" ("user_id")`);
  }

  public async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE "reviews"`);
    for (const index of [
      'products_hot_category_idx',
      'products_featured_idx',
      'products_brand_idx',
      'products_sort_rating_desc_idx',
      'products_sort_rating_idx',
      'products_sort_views_idx',
      'products_sku_uq',
    ]) {
      await db.query(`DROP INDEX "${index}"`);
    }
    await db.query(`
      ALTER TABLE "products"
        DROP CONSTRAINT "products_views_check",
        DROP CONSTRAINT "products_rating_check",
        DROP CONSTRAINT "products_original_price_check",
        DROP COLUMN "views",
        DROP COLUMN "rating_hundredths",
        DROP COLUMN "review_count",
        DROP COLUMN "rating_sum",
        DROP COLUMN "is_featured",
        DROP COLUMN "image_url",
        DROP COLUMN "original_price",
        DROP COLUMN "brand",
        DROP COLUMN "sku"`);
  }
}
