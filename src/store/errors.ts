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

/**
 * What a UNIQUE violation names: its columns (`['tenants.name_key']`) or, for an index on an
 * expression such as `lower(name)`, the index (`['index:directories_tenant_name']`); `[]` if
 * the error is not a UNIQUE violation.
 */
export function violatedColumns(error: unknown): string[] {
  const message = constraintMessage(error, 'UNIQUE')
  const index = message && /UNIQUE constraint failed: index '(\w+)'/.exec(message)
  if (index) return [`index:${index[1]}`]
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
