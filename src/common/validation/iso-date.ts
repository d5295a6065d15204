/**
 * What clients send as an ISO-8601 date: a calendar day (YYYY-MM-DD), or a date-time with a zone
 * (Z or ±HH:MM). The DTOs check this shape; parseIsoDate checks that it names a real instant.
 */
export const ISO_DATE_OR_DATE_TIME =
  /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

export interface IsoDate {
  /** A plain YYYY-MM-DD (a whole UTC day), not a date-time. */
  dateOnly: boolean;
  /** The instant: UTC midnight of a day, or the date-time itself. */
  at: Date;
}

/** PostgreSQL and the wire format both take years 1 to 9999 (year 0000 does not exist). */
const inRange = (at: Date): boolean => {
  const year = at.getUTCFullYear();
  return !Number.isNaN(at.getTime()) && year >= 1 && year <= 9999;
};

/**
 * An ISO date or date-time as an instant; undefined when it is no real one: a day that is not on
 * the calendar (2026-02-30, also inside a date-time, which Date.parse would roll over to
 * March), a time out of range, or a year PostgreSQL has not.
 */
export function parseIsoDate(text: string): IsoDate | undefined {
  if (!ISO_DATE_OR_DATE_TIME.test(text)) return undefined;
  const day = text.slice(0, 10);
  const midnight = new Date(`${day}T00:00:00.000Z`);
  if (!inRange(midnight) || !midnight.toISOString().startsWith(day)) return undefined;
  if (text.length === 10) return { dateOnly: true, at: midnight };
  const at = new Date(text);
  return inRange(at) ? { dateOnly: false, at } : undefined;
}
