import { describe, expect, it } from 'vitest';
import { parseIsoDate } from './iso-date.js';

describe('parseIsoDate', () => {
  it('reads a calendar day as its UTC midnight', () => {
    expect(parseIsoDate('2026-03-01')).toEqual({
      dateOnly: true,
      at: new Date('2026-03-01T00:00:00.000Z'),
    });
  });

  it.each([
    ['2026-03-01T12:30:00Z', '2026-03-01T12:30:00.000Z'],
    ['2026-03-01T12:30:00.123Z', '2026-03-01T12:30:00.123Z'],
    ['2026-03-01T12:30Z', '2026-03-01T12:30:00.000Z'],
    ['2026-03-01T01:00:00+05:00', '2026-02-28T20:00:00.000Z'],
  ])('reads the date-time %s as the instant %s', (text, iso) => {
    expect(parseIsoDate(text)).toEqual({ dateOnly: false, at: new Date(iso) });
  });

  it.each([
    '2026-02-30',
    '2026-13-01',
    '2026-02-30T00:00:00Z',
    '2026-03-01T25:00:00Z',
    '2026-03-01T12:60:00Z',
    '0000-01-01',
    '0001-01-01T00:00:00+01:00',
    '9999-12-31T23:00:00-05:00',
    '2026-03-01T12:00:00',
    '2026/03/01',
    '',
  ])('refuses %j', (text) => {
    expect(parseIsoDate(text)).toBeUndefined();
  });
});
