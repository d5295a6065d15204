import type { EntityManager } from 'typeorm';

export interface SqlResult<T> {
  rows: T[];
  /** Rows affected by INSERT/UPDATE/DELETE, or returned by SELECT. */
  count: number;
}

/**
 * Runs one parameterised statement on the manager's transaction (or a pooled connection) and
 * answers in one shape whatever the statement: TypeORM's query() returns rows for a SELECT but
 * [rows, count] for an UPDATE. Values are only ever passed as parameters.
 */
export async function sql<T>(
  tx: EntityManager,
  text: string,
  params: unknown[] = [],
): Promise<SqlResult<T>> {
  const runner = tx.queryRunner ?? tx.dataSource.createQueryRunner();
  try {
    const result = await runner.query(text, params, true);
    const rows = result.records as T[];
    return { rows, count: result.affected ?? rows.length };
  } finally {
    if (!tx.queryRunner) await runner.release();
  }
}
