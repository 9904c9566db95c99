import { queryError, quote } from './errors'

/** Items per page when the request names no `limit` (stormpath-api reference §8). */
export const DEFAULT_LIMIT = 25
/** The largest page; larger requests are clamped, and the effective limit is echoed. */
export const MAX_LIMIT = 100

const WHOLE_NUMBER = /^-?\d+$/

/** A whole number (sign allowed, no exponent or fraction), or undefined. */
export function readWholeNumber(value: string): number | undefined {
  return WHOLE_NUMBER.test(value) ? Number(value) : undefined
}

/** `offset` ≥ 0; negatives mean the first item, huge values stay safe integers. */
export function clampOffset(offset: number): number {
  return Math.min(Math.max(offset, 0), Number.MAX_SAFE_INTEGER)
}

/** `limit` into 1..{@link MAX_LIMIT}. */
export function clampLimit(limit: number): number {
  return Math.min(Math.max(limit, 1), MAX_LIMIT)
}

/**
 * Reads `offset` and `limit` (absent → 0 and {@link DEFAULT_LIMIT}) and clamps them into range
 * rather than refusing them: the Node SDK pages by comparing `items.length` with the limit it
 * gets back, so the effective value is echoed (stormpath-api reference §8). Anything that is not
 * a whole number → 2103.
 *
 * @example
 * parsePaging(null, '500') // { offset: 0, limit: 100 }
 */
export function parsePaging(
  offset: string | null,
  limit: string | null,
): { offset: number; limit: number } {
  return {
    offset: offset === null ? 0 : clampOffset(wholeNumber(offset, 'offset')),
    limit: limit === null ? DEFAULT_LIMIT : clampLimit(wholeNumber(limit, 'limit')),
  }
}

function wholeNumber(value: string, parameter: string): number {
  const number = readWholeNumber(value)
  if (number !== undefined) return number
  throw queryError(
    'query_invalid_value',
    parameter,
    `The ${parameter} parameter must be a whole number.`,
    `${parameter}=${quote(value)} is not a whole number.`,
  )
}
