/**
 * The Bun entry: `npm start`. Embedded libSQL file by default (Turso when DATABASE_URL is a
 * remote URL), migrations at start-up, Bun.serve, the mail sender every 30 s, clean shutdown on
 * SIGINT/SIGTERM.
 *
 * The functions are exported for the test harness, which builds the same app in-process.
 */
import { createClient, type Client } from '@libsql/client'
import { drizzle } from 'drizzle-orm/libsql'
import { migrate } from 'drizzle-orm/libsql/migrator'
import { mkdir, open, readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as schema from '../../db/schema'
import { createApp } from '../app'
import {
  ConfigError,
  findConfigProblems,
  parseConfig,
  type Config,
  type Environment,
} from '../config'
import type { Deps } from '../deps'
import { VERSION } from '../http/platform'
import { createLogger, describeError, type Logger } from '../log'
import { deliverDueMail } from '../mail/sender'
import { rotateAllTenantsKeys } from '../oidc/keys'
import { newId } from '../security/ids'
import { createPasswordHasher } from '../security/passwords'
import { createSealer } from '../security/seal'
import type { Database } from '../store/db'
import { parseLdapConfig } from '../../workers/ldap/config'
import { parseSyncWorkerConfig } from '../../workers/sync/config'
import { ldapDirectoryClient } from '../../workers/sync/ldap-client'
import { runPeriodically, trackBackgroundWork } from './bun-background'
import { superviseCompanion } from './companions'
import { installStatementCache } from './libsql-statements'
import { passwordPrimitives } from './passwords-bun'

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../db/migrations', import.meta.url))
const LDAP_WORKER = fileURLToPath(new URL('../../workers/ldap/main.ts', import.meta.url))
const SYNC_WORKER = fileURLToPath(new URL('../../workers/sync/main.ts', import.meta.url))
export const SECRET_KEY_FILE = './data/secret.key'
const SHUTDOWN_GRACE_MS = 10_000
/** How often queued mail (retries, and anything a request did not deliver) is looked at. */
const MAIL_INTERVAL_MS = 30_000
/** Hourly: rotation is due at most once a day per key, and creation happens at start. */
const KEY_ROTATION_INTERVAL_MS = 3_600_000

export interface OpenDatabase {
  db: Database
  client: Client
}

/**
 * Reads the master key from `path`, or creates it (32 random bytes, base64url, mode 0600) on
 * first start. `wx` makes creation atomic, so two processes starting at once agree on one key.
 */
export async function loadOrCreateSecretKey(path = SECRET_KEY_FILE): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
  const key = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')
  try {
    const file = await open(path, 'wx', 0o600)
    await file.writeFile(`${key}\n`)
    await file.close()
    return key
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateSecretKey(path)
    throw error
  }
}

/** Validates the environment, generating SECRET_KEY into ./data when it is not set. */
export async function loadConfig(env: Environment): Promise<Config> {
  const problems = findConfigProblems(env, ['SECRET_KEY'])
  if (problems.length > 0) throw new ConfigError(problems)
  const secretKey = env.SECRET_KEY?.trim() || (await loadOrCreateSecretKey())
  return parseConfig({ ...env, SECRET_KEY: secretKey })
}

/** Opens the libSQL database, creating the folder of an embedded file when needed. */
export async function openDatabase(
  config: Pick<Config, 'databaseUrl' | 'databaseAuthToken'>,
): Promise<OpenDatabase> {
  const { databaseUrl } = config
  if (databaseUrl.startsWith('file:')) {
    const path = databaseUrl
      .slice('file:'.length)
      .replace(/^\/\/(?=\/)/, '')
      .split('?')[0]!
    await mkdir(dirname(resolve(path)), { recursive: true })
  }
  const embedded = databaseUrl.startsWith('file:')
  if (embedded) installStatementCache()
  const client = createClient({
    url: databaseUrl,
    authToken: config.databaseAuthToken,
    // Statements run synchronously on the embedded file, so one connection serves every request;
    // more would only lose the per-connection settings below.
    ...(embedded ? { concurrency: 1, timeout: BUSY_TIMEOUT_MS } : {}),
  })
  if (embedded) await tuneEmbeddedDatabase(client)
  return { db: drizzle(client, { schema }) as unknown as Database, client }
}

/** How long a write waits, in milliseconds, for another process’s (a companion worker’s) lock. */
const BUSY_TIMEOUT_MS = 5000

/**
 * WAL lets the companion workers read while the server writes, and with `synchronous=NORMAL` a
 * commit appends to the log without an fsync (the log is synced at checkpoints): a crash of the
 * process loses nothing; a power cut may lose the last commits, never corrupt the file. Without
 * it every code and token write costs two fsyncs. `:memory:` has no journal to change.
 */
async function tuneEmbeddedDatabase(client: Client): Promise<void> {
  const [mode] = (await client.execute('PRAGMA journal_mode')).rows
  if (mode?.[0] !== 'memory') await client.execute('PRAGMA journal_mode = WAL')
  await client.execute('PRAGMA synchronous = NORMAL')
}

/** Applies pending migrations; idempotent, all-or-nothing (one transaction). */
export async function migrateDatabase(db: Database): Promise<void> {
  await migrate(db as Parameters<typeof migrate>[0], { migrationsFolder: MIGRATIONS_FOLDER })
}

export function createBunDeps(config: Config, db: Database, log: Logger): Deps {
  return {
    config,
    db,
    log,
    runtime: 'bun',
    now: () => new Date(),
    newId,
    passwords: createPasswordHasher(passwordPrimitives),
    sealer: createSealer(config.secretKey),
    fetch,
    externalDirectories: ldapDirectoryClient(),
  }
}

async function main(): Promise<void> {
  const config = await loadConfig(process.env)
  // Checked here too, so a bad LDAP variable stops `npm start` with its one-line message.
  const ldap = parseLdapConfig(process.env)
  const sync = parseSyncWorkerConfig(process.env)
  const log = createLogger(config.logLevel, (line) => console.log(line))
  const { db, client } = await openDatabase(config)
  await migrateDatabase(db)
  const deps = createBunDeps(config, db, log)
  const app = createApp(deps)
  const background = trackBackgroundWork()
  const server = Bun.serve({
    port: config.port,
    // The socket's address is the client's as far as Bun knows (rate limits key on it).
    fetch: (request, bun) =>
      app.fetch(request, { clientAddress: bun.requestIP(request)?.address }, background.context),
  })

  // The companions on the same database, started after the migrations so that they never race
  // to apply them: the LDAP server (LDAP_PORT=off leaves it out) and the sync worker of external
  // directories (SYNC_WORKER=off).
  const companionEnv = {
    ...process.env,
    SECRET_KEY: config.secretKey,
    DATABASE_URL: config.databaseUrl,
  }
  const companions = [
    ...(ldap.port === undefined
      ? []
      : [superviseCompanion('ldap', LDAP_WORKER, companionEnv, log)]),
    ...(sync.enabled ? [superviseCompanion('sync', SYNC_WORKER, companionEnv, log)] : []),
  ]

  printBanner(config, ldap.port)
  log.info('started', {
    version: VERSION,
    port: server.port,
    database: redactUrl(config.databaseUrl),
  })
  const mail = runPeriodically(async () => {
    await deliverDueMail(deps).catch((error: unknown) => {
      log.error('mail delivery failed', describeError(error))
    })
  }, MAIL_INTERVAL_MS)
  // Signing keys: created for every tenant at start (RSA generation stays off the request path)
  // and rotated on schedule (keys-rotation.ts decides whether anything is due).
  const keys = runPeriodically(async () => {
    await rotateAllTenantsKeys(deps).catch((error: unknown) => {
      log.error('signing key rotation failed', describeError(error))
    })
  }, KEY_ROTATION_INTERVAL_MS)

  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) process.exit(1) // a second signal: the operator wants out now
    stopping = true
    log.info('stopping', { signal })
    // Stop the mail loop and accepting connections; let in-flight requests finish, within a
    // grace period; then let the mail they and the loop started go out before the database
    // closes under it, within another.
    background.context.waitUntil(mail.stop())
    background.context.waitUntil(keys.stop())
    const forced = setTimeout(() => server.stop(true), SHUTDOWN_GRACE_MS)
    await server.stop()
    clearTimeout(forced)
    await background.settled(SHUTDOWN_GRACE_MS)
    await Promise.all(companions.map((companion) => companion.stop()))
    client.close()
    log.info('stopped')
    process.exit(0)
  }
  process.on('SIGINT', () => void stop('SIGINT'))
  process.on('SIGTERM', () => void stop('SIGTERM'))
}

function printBanner(config: Config, ldapPort: number | undefined): void {
  const lines = [
    `Edgepass ${VERSION} is listening on ${config.baseUrl}`,
    `  database: ${redactUrl(config.databaseUrl)}`,
    ldapPort === undefined
      ? '  LDAP: off (LDAP_PORT=off)'
      : `  LDAP: port ${ldapPort}, for tenants that enable it (POST /v1/tenants/{id}/ldap)`,
    '  create the first tenant and its administrator:',
    `    curl --data 'tenantNameKey=my-tenant&email=admin@example.com&givenName=Ada&surname=Admin&password=Change-me-1234' ${config.baseUrl}/registration`,
    `  then log in with the same fields: curl -c cookies.txt --data '…' ${config.baseUrl}/login (see README.md)`,
  ]
  console.error(lines.join('\n'))
}

/** Never print a token that someone put in the URL's query string. */
function redactUrl(url: string): string {
  return url.split('?')[0]!
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    // One line for the operator, no stack: a start-up failure is a configuration matter.
    const reason = error instanceof ConfigError ? error.message : `cannot start: ${message(error)}`
    console.error(`edgepass: ${reason}`)
    process.exit(1)
  })
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
