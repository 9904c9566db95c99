/**
 * The Cloudflare Workers entry. Storage is the D1 binding `DB` when present, otherwise Turso
 * (libSQL over HTTP) from DATABASE_URL. Configuration comes from bindings; Workers have no
 * start-up to fail, so a misconfigured deployment answers every request with a 503 that names
 * the problem (and logs it once). The cron trigger (`wrangler.toml`) runs the mail sender, which
 * retries what requests could not deliver.
 */
import { createClient } from '@libsql/client/web'
import { drizzle as drizzleD1 } from 'drizzle-orm/d1'
import { drizzle as drizzleLibsql } from 'drizzle-orm/libsql/web'
import { Hono } from 'hono'
import * as schema from '../../db/schema'
import { createApp } from '../app'
import { ConfigError, type Config } from '../config'
import { EdgepassError } from '../errors'
import { requestId, type RequestIdVariables } from '../http/request-id'
import type { Deps } from '../deps'
import { createLogger, describeError, type Logger } from '../log'
import { deliverDueMail } from '../mail/sender'
import { rotateAllTenantsKeys } from '../oidc/keys'
import { stormpathErrorHandler } from '../rest/errors'
import { newId } from '../security/ids'
import { createPasswordHasher } from '../security/passwords'
import { createSealer } from '../security/seal'
import { remoteDirectoryClient } from '../directory/external/remote'
import { runQueuedSyncs } from '../directory/external/runner'
import { queueDueSyncs } from '../directory/external/sync-runs'
import { passwordPrimitives } from './passwords-worker'
import type { Database } from '../store/db'
import { parseWorkerConfig, type WorkerVariables } from './worker-config'

export interface WorkerBindings extends WorkerVariables {
  DB?: D1Database
}

type FetchHandler = (
  request: Request,
  env: WorkerBindings,
  ctx: ExecutionContext,
) => Response | Promise<Response>

/** What the isolate serves with: the app and its deps, or only the configuration problem. */
type WorkerRuntime =
  | { kind: 'ready'; deps: Deps; fetch: FetchHandler }
  | { kind: 'misconfigured'; log: Logger; problem: string; fetch: FetchHandler }

/** Built on the first event and reused for the isolate's lifetime (keys imported once). */
let runtime: WorkerRuntime | undefined

export default {
  fetch(request, env, ctx) {
    runtime ??= buildRuntime(env)
    return runtime.fetch(request, env, ctx)
  },
  scheduled(_controller, env, ctx) {
    runtime ??= buildRuntime(env)
    if (runtime.kind !== 'ready') {
      runtime.log.error('scheduled work skipped: misconfigured', { problem: runtime.problem })
      return
    }
    const { deps } = runtime
    ctx.waitUntil(
      deliverDueMail(deps).then(
        () => undefined,
        (error: unknown) => deps.log.error('mail delivery failed', describeError(error)),
      ),
    )
    // External directories: queue the due syncs and run what is queued (through the sync
    // worker's endpoint; the writes go to this deployment's database).
    if (deps.externalDirectories) {
      const client = deps.externalDirectories
      ctx.waitUntil(
        queueDueSyncs(deps)
          .then(() => runQueuedSyncs(deps, client))
          .then(
            () => undefined,
            (error: unknown) => deps.log.error('directory sync failed', describeError(error)),
          ),
      )
    }
    // Key generation (~80 ms for RSA) and rotation belong here, not on a request.
    ctx.waitUntil(
      rotateAllTenantsKeys(deps).then(
        () => undefined,
        (error: unknown) => deps.log.error('signing key rotation failed', describeError(error)),
      ),
    )
  },
} satisfies ExportedHandler<WorkerBindings>

function buildRuntime(env: WorkerBindings): WorkerRuntime {
  const log = createLogger(logLevelOf(env), (line) => console.log(line))
  let config: Config
  try {
    config = parseWorkerConfig(env, env.DB !== undefined)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    log.error('misconfigured', { problem: error.message })
    const fetch = misconfiguredApp(error.message, log).fetch
    return { kind: 'misconfigured', log, problem: error.message, fetch }
  }
  const deps: Deps = {
    config,
    db: openWorkerDatabase(env, config),
    log,
    runtime: 'workerd',
    now: () => new Date(),
    newId,
    passwords: createPasswordHasher(passwordPrimitives),
    sealer: createSealer(config.secretKey),
    // Called as `deps.fetch(…)`, workerd's fetch would see `deps` as `this` and throw
    // "Illegal invocation"; the arrow calls it unbound.
    fetch: (input, init) => fetch(input, init),
  }
  // No LDAP sockets here: external directories are reached through the sync worker.
  if (config.syncWorkerUrl) {
    deps.externalDirectories = remoteDirectoryClient({
      url: config.syncWorkerUrl,
      secretKey: config.secretKey,
      sealer: deps.sealer,
      fetch: deps.fetch,
    })
  }
  const app = createApp(deps)
  // Cloudflare sets CF-Connecting-IP; clients cannot forge it through Cloudflare's edge.
  const clientAddressOf = (request: Request) => request.headers.get('cf-connecting-ip') ?? undefined
  return {
    kind: 'ready',
    deps,
    fetch: (request, _env, ctx) =>
      app.fetch(request, { clientAddress: clientAddressOf(request) }, ctx),
  }
}

function openWorkerDatabase(env: WorkerBindings, config: Config): Database {
  if (env.DB) return drizzleD1(env.DB, { schema }) as unknown as Database
  const client = createClient({ url: config.databaseUrl, authToken: config.databaseAuthToken })
  return drizzleLibsql(client, { schema }) as unknown as Database
}

function misconfiguredApp(problem: string, log: Logger) {
  const app = new Hono<{ Variables: RequestIdVariables }>()
  app.use(requestId())
  app.all('*', () => {
    throw new EdgepassError('misconfigured', 'The service is misconfigured.', {
      developerMessage: problem,
    })
  })
  app.onError(stormpathErrorHandler(log, ''))
  return app
}

function logLevelOf(env: WorkerBindings) {
  const level = env.LOG_LEVEL
  return level === 'debug' || level === 'warn' || level === 'error' || level === 'silent'
    ? level
    : 'info'
}
