/**
 * `npm run migrate`: applies pending migrations to DATABASE_URL (an embedded file or Turso)
 * without starting the server, e.g. before rolling out Workers that use Turso.
 * D1 is migrated by `wrangler d1 migrations apply edgepass --remote` instead.
 */
import { ConfigError, DEFAULT_DATABASE_URL, findConfigProblems } from '../../config'
import { migrateDatabase, openDatabase } from '../bun'

const problems = findConfigProblems(process.env, ['SECRET_KEY'])
if (problems.length > 0) {
  console.error(`edgepass: ${new ConfigError(problems).message}`)
  process.exit(1)
}
const databaseUrl = process.env.DATABASE_URL?.trim() || DEFAULT_DATABASE_URL
try {
  const { db, client } = await openDatabase({
    databaseUrl,
    databaseAuthToken: process.env.DATABASE_AUTH_TOKEN?.trim() || undefined,
  })
  await migrateDatabase(db)
  client.close()
  console.log(`migrations applied to ${databaseUrl.split('?')[0]}`)
} catch (error) {
  console.error(
    `edgepass: migration failed: ${error instanceof Error ? error.message : String(error)}`,
  )
  process.exit(1)
}
