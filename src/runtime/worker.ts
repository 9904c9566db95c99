/**
 * The Cloudflare Workers entry. Storage is the D1 binding `DB` when present, otherwise Turso
 * (libSQL over HTTP) from DATABASE_URL. Configuration comes from bindings; Workers have no
 * start-up to fail, so a misconfigured deployment answers every request with a 503 that names
 * the problem (and logs it once).
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
import { createLogger, type Logger } from '../log'
import { stormpathErrorHandler } from '../rest/errors'
import { newId } from '../security/ids'
import { createPasswordHasher } from '../security/passwords'
import { createSealer } from '../security/seal'
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

/** Built on the first request and reused for the isolate's lifetime (keys imported once). */
let handler: FetchHandler | undefined

export default {
  fetch(request, env, ctx) {
    handler ??= buildHandler(env)
    return handler(request, env, ctx)
  },
} satisfies ExportedHandler<WorkerBindings>

function buildHandler(env: WorkerBindings): FetchHandler {
  const log = createLogger(logLevelOf(env), (line) => console.log(line))
  let config: Config
  try {
    config = parseWorkerConfig(env, env.DB !== undefined)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    log.error('misconfigured', { problem: error.message })
    return misconfiguredApp(error.message, log).fetch
  }
  const db = openWorkerDatabase(env, config)
  const app = createApp({
    config,
    db,
    log,
    runtime: 'workerd',
    now: () => new Date(),
    newId,
    passwords: createPasswordHasher(passwordPrimitives),
    sealer: createSealer(config.secretKey),
    fetch,
  })
  // Cloudflare sets CF-Connecting-IP; clients cannot forge it through Cloudflare's edge.
  return (request, _env, ctx) =>
    app.fetch(request, { clientAddress: request.headers.get('cf-connecting-ip') ?? undefined }, ctx)
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
