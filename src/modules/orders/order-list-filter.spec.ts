import { describe, expect, it } from 'vitest';
import type { AuthUser } from '../../common/decorators/current-user.decorator.js';
import { DomainError } from '../../common/errors/domain-error.js';
import type { OrderListQueryDto } from './dto/order-query.dto.js';
import { orderListFilter } from './order-list-filter.js';

const admin: AuthUser = { id: 1, email: 'a@example.com', role: 'admin', sessionId: 's' };
const customer: AuthUser = { id: 7, email: 'c@example.com', role: 'customer', sessionId: 's' };
const query = (fields: Partial<OrderListQueryDto>): OrderListQueryDto => ({
  page: 1,
  page_size: 20,
  ...fields,
});
const refusal = (run: () => unknown): DomainError => {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('not refused');
};

describe('orderListFilter', () => {
  it('gives an admin every order without user_id, and inclusive UTC days and totals', () => {
    expect(orderListFilter(admin, query({}))).toEqual({
      userId: undefined,
      status: undefined,
      createdFrom: undefined,
      createdBefore: undefined,
      minTotal: undefined,
      maxTotal: undefined,
    });
    expect(
      orderListFilter(
        admin,
        query({
          created_from: '2028-02-28',
          created_to: '2028-02-29',
          min_total: 5,
          max_total: 5.5,
        }),
      ),
    ).toMatchObject({
      createdFrom: new Date('2028-02-28T00:00:00.000Z'),
      createdBefore: new Date('2028-03-01T00:00:00.000Z'),
      minTotal: '5.00',
      maxTotal: '5.50',
    });
  });

  it('reads ISO date-times as inclusive instants', () => {
    expect(
      orderListFilter(
        admin,
        query({
          created_from: '2028-02-28T10:00:00Z',
          created_to: '2028-02-28T12:30:00.250+02:00',
        }),
      ),
    ).toMatchObject({
      createdFrom: new Date('2028-02-28T10:00:00.000Z'),
      createdBefore: new Date('2028-02-28T10:30:00.251Z'),
    });
    expect(
      orderListFilter(
        admin,
        query({ created_from: '2028-02-28T10:00:00Z', created_to: '2028-02-28T10:00:00Z' }),
      ),
    ).toMatchObject({ createdBefore: new Date('2028-02-28T10:00:00.001Z') });
  });

  it('keeps a customer to their own orders and refuses the admin filters with 403', () => {
    expect(orderListFilter(customer, query({ status: 'paid' }))).toEqual({
      userId: 7,
      status: 'paid',
    });
    const error = refusal(() => orderListFilter(customer, query({ min_total: 1, user_id: 7 })));
    expect([error.kind, error.message]).toEqual([
      'forbidden',
      'Only administrators may filter orders by user_id, min_total',
    ]);
  });

  it.each([
    [{ created_from: '2027-02-29' }, 'created_from'],
    [{ created_to: '2026-04-31' }, 'created_to'],
    [{ created_from: '2026-03-02', created_to: '2026-03-01' }, 'created_from'],
    [{ created_from: '2026-02-30T00:00:00Z' }, 'created_from'],
    [{ created_from: '0000-12-31' }, 'created_from'],
    [
      { created_from: '2026-03-01T12:00:00.001Z', created_to: '2026-03-01T12:00:00Z' },
      'created_from',
    ],
    [{ min_total: 10, max_total: 9.99 }, 'min_total'],
  ])('refuses %j naming %s', (fields, field) => {
    const error = refusal(() => orderListFilter(admin, query(fields)));
    expect([error.kind, Object.keys(error.errors ?? {})]).toEqual(['validation', [field]]);
  });
});
