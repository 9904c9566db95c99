/**
 * A statement cache for the embedded libSQL driver (Bun only).
 *
 * `@libsql/client` prepares every statement anew on every execution and asks it for its columns
 * twice; for a 25-column row that is ~55 µs to prepare and ~65 µs per `columns()` call against
 * ~25 µs to run it (measured on Bun 1.4, libsql 0.5), and it made the 300–450 µs of a single
 * client lookup. SQLite statements are reusable, and their columns cannot change without a
 * schema change, so each connection keeps its recent statements with their columns.
 *
 * Only plain DML is cached (SELECT, INSERT, UPDATE, DELETE, WITH): a schema statement (CREATE,
 * ALTER, DROP) empties the connection's cache, since SQLite re-prepares a stale statement by
 * itself but the remembered columns would be wrong; PRAGMAs and the rest are never cached
 * (libsql's own `pragma()` switches its statement to pluck mode). Statements run synchronously
 * and are read to the end each time, so a cached one is never in use twice at once.
 */
import Database from 'libsql'

/** Per connection: enough for every distinct hot statement, bounded for dynamic queries. */
export const MAX_CACHED_STATEMENTS = 256

type Connection = Database.Database
type Statement = Database.Statement

const CACHEABLE = /^\s*(select|insert|update|delete|with)\b/i
const SCHEMA_CHANGE = /^\s*(create|alter|drop)\b/i

const caches = new WeakMap<Connection, Map<string, Statement>>()
let installed = false

/**
 * Installs the cache on every libsql connection, once per process.
 *
 * @example
 * installStatementCache()
 * const client = createClient({ url: 'file:./data/edgepass.db' })
 */
export function installStatementCache(): void {
  if (installed) return
  installed = true
  const prepare = Database.prototype.prepare
  Database.prototype.prepare = function cachedPrepare(this: Connection, sql: string) {
    return cachedStatement(this, sql, prepare)
  } as typeof prepare
}

function cachedStatement(
  connection: Connection,
  sql: string,
  prepare: (this: Connection, sql: string) => Statement,
): Statement {
  if (!CACHEABLE.test(sql)) {
    if (SCHEMA_CHANGE.test(sql)) caches.delete(connection)
    return prepare.call(connection, sql)
  }
  let cache = caches.get(connection)
  if (!cache) caches.set(connection, (cache = new Map()))
  const cached = cache.get(sql)
  if (cached) {
    // Most recently used last: the first key is the one to evict.
    cache.delete(sql)
    cache.set(sql, cached)
    return cached
  }
  const statement = rememberColumns(prepare.call(connection, sql))
  if (cache.size >= MAX_CACHED_STATEMENTS) cache.delete(cache.keys().next().value!)
  cache.set(sql, statement)
  return statement
}

function rememberColumns(statement: Statement): Statement {
  const columns = statement.columns.bind(statement)
  let known: ReturnType<Statement['columns']> | undefined
  statement.columns = () => (known ??= columns())
  return statement
}

/** How many statements a connection holds (tests). */
export function cachedStatementCount(connection: Connection): number {
  return caches.get(connection)?.size ?? 0
}
