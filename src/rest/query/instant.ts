/**
 * ISO-8601 instants at any precision from a year down to a millisecond, always UTC:
 * `2015`, `2015-01`, `2015-01-12`, `2015-01-12T10`, `…T10:30`, `…T10:30:15`, `…T10:30:15.123`,
 * each time optionally followed by `Z` (stormpath-api reference §8, "Date ranges").
 *
 * Offsets such as `+02:00` are not accepted: an unescaped `+` in a query string decodes to a
 * space, so they would arrive mangled anyway.
 */
const INSTANT =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{3}))?)?)?(Z)?)?)?)?$/

/** An instant as written: the first millisecond of its unit and the first one after it. */
export interface Instant {
  /** First instant of the unit, ms since the epoch. */
  start: number
  /** First instant of the next unit (`2015-01` → 2015-02-01T00:00:00.000Z). */
  end: number
  /**
   * The next unit written at the same precision (`2015-12` → `2016-01`), for comparing as
   * strings; undefined past year 9999.
   */
  endText: string | undefined
}

/** Lengths of `toISOString()` prefixes, by the number of fields written. */
const PREFIX_LENGTH = [0, 4, 7, 10, 13, 16, 19, 23]

/**
 * Parses an instant; undefined when it is not one (wrong shape or impossible date, such as
 * `2015-02-30` or `T24`).
 *
 * @example
 * parseInstant('2015-01') // { start: Date.UTC(2015, 0), end: Date.UTC(2015, 1), endText: '2015-02' }
 */
export function parseInstant(text: string): Instant | undefined {
  const match = INSTANT.exec(text)
  if (!match) return undefined
  const fields = match.slice(1, 8)
  const written = fields.filter((field) => field !== undefined).length
  const [year, month = 1, day = 1, hour = 0, minute = 0, second = 0, ms = 0] = fields
    .slice(0, written)
    .map(Number)
  if (year === undefined || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined
  const start = utc(year, month - 1, day, hour, minute, second, ms)
  const date = new Date(start)
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined
  const end = nextUnit(start, written, year, month)
  const zone = match[8] ?? ''
  const endText =
    new Date(end).getUTCFullYear() > 9999
      ? undefined
      : new Date(end).toISOString().slice(0, PREFIX_LENGTH[written]) + zone
  return { start, end, endText }
}

const UNIT_MS = [0, 0, 0, 86_400_000, 3_600_000, 60_000, 1_000, 1]

function nextUnit(start: number, written: number, year: number, month: number): number {
  if (written === 1) return utc(year + 1, 0, 1, 0, 0, 0, 0)
  if (written === 2) return utc(year, month, 1, 0, 0, 0, 0)
  return start + (UNIT_MS[written] ?? 1)
}

/** `Date.UTC` without its quirk of reading years 0–99 as 1900–1999. */
function utc(
  year: number,
  monthIndex: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  ms: number,
): number {
  const date = new Date(0)
  date.setUTCFullYear(year, monthIndex, day)
  date.setUTCHours(hour, minute, second, ms)
  return date.getTime()
}
