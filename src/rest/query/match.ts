import { sql, type SQL, type SQLWrapper } from 'drizzle-orm'

/**
 * Escapes LIKE's own wildcards so that user text is matched literally: without it `%` and `_`
 * in a search value would widen the match (`email=%` would list every account).
 */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, '\\$&')
}

/**
 * The LIKE pattern for a Stormpath match value: `value` exact, `*value` ends-with, `value*`
 * starts-with, `*value*` contains (stormpath-api reference §8). A `*` inside the value is a
 * literal character.
 */
export function likePattern(value: string): string {
  let core = value
  let prefix = ''
  let suffix = ''
  if (core.startsWith('*')) {
    prefix = '%'
    core = core.slice(1)
  }
  if (core.endsWith('*')) {
    suffix = '%'
    core = core.slice(0, -1)
  }
  return prefix + escapeLike(core) + suffix
}

/** The LIKE pattern for `q`: contains, with no wildcard syntax of its own. */
export function containsPattern(text: string): string {
  return `%${escapeLike(text)}%`
}

/**
 * Case-insensitive LIKE. Both sides are folded by SQLite's `lower()` so that folding is the same
 * on both (ASCII only, on libSQL and D1 alike). The pattern has at most a leading and a trailing
 * unescaped `%`, so matching stays linear in the value's length.
 */
export function likeIgnoringCase(expression: SQLWrapper, pattern: string): SQL {
  return sql`lower(${expression}) like lower(${pattern}) escape '\\'`
}
