/**
 * A migrated libSQL database on a temporary file and the few deps the OIDC domain modules use,
 * without the app: domain tests do not depend on every route module compiling.
 */
import { createClient } from '@libsql/client'
import { drizzle } from 'drizzle-orm/libsql'
import { migrate } from 'drizzle-orm/libsql/migrator'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as schema from '../../db/schema'
import type { Deps } from '../../src/deps'
import { newId } from '../../src/security/ids'
import type { Database } from '../../src/store/db'

const MIGRATIONS = fileURLToPath(new URL('../../db/migrations', import.meta.url))

export interface TestDatabase {
  db: Database
  /** `db`, the clock and ids; nothing else is set (a domain function reaching for more fails). */
  deps: Deps
  close(): Promise<void>
}

export async function openTestDatabase(): Promise<TestDatabase> {
  const dir = await mkdtemp(join(tmpdir(), 'edgepass-oidc-'))
  const client = createClient({ url: `file:${join(dir, 'test.db')}` })
  const db = drizzle(client, { schema }) as unknown as Database
  await migrate(db as Parameters<typeof migrate>[0], { migrationsFolder: MIGRATIONS })
  const deps = { db, now: () => new Date(), newId } as Partial<Deps> as Deps
  return {
    db,
    deps,
    close: async () => {
      client.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
