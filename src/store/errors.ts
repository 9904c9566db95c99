/**
 * Recognises a constraint violation on both drivers. libSQL wraps a `LibsqlError` (or, inside a
 * batch, a `SqliteError`) in drizzle's `DrizzleQueryError`; D1 wraps a plain `Error` whose text
 * is `D1_ERROR: UNIQUE constraint failed: …` with no `code`. Both carry SQLite's message, so
 * walk `.cause` and match it (edge-runtime reference §2, rule 4).
 *
 * @example
 * try { await insertTenant(db, tenant) } catch (err) {
 *   if (isConstraintError(err, 'UNIQUE')) throw new EdgepassError('conflict', …)
 *   throw err
 * }
 */
export function isConstraintError(error: unknown, kind: 'UNIQUE' | 'FOREIGN KEY'): boolean {
  return constraintMessage(error, kind) !== undefined
}

/** The columns a UNIQUE violation names, e.g. `['tenants.name_key']`, or `[]`. */
export function violatedColumns(error: unknown): string[] {
  const message = constraintMessage(error, 'UNIQUE')
  const match = message && /UNIQUE constraint failed: ([\w., ]+)/.exec(message)
  return match ? match[1]!.split(',').map((column) => column.trim()) : []
}

function constraintMessage(error: unknown, kind: string): string | undefined {
  let current: unknown = error
  for (let depth = 0; current instanceof Error && depth < 6; depth++) {
    if (current.message.includes(`${kind} constraint failed`)) return current.message
    current = current.cause
  }
  return undefined
}
