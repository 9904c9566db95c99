import { ConfigError, parseConfig, type Config, type ConfigProblem } from '../config'

/** The string bindings a Worker reads its configuration from (wrangler `[vars]` and secrets). */
export interface WorkerVariables {
  BASE_URL?: string
  DATABASE_URL?: string
  DATABASE_AUTH_TOKEN?: string
  SECRET_KEY?: string
  LOG_LEVEL?: string
  RESEND_API_KEY?: string
  EMAIL_FROM?: string
  DEFAULT_TENANT?: string
  /** The sync worker's internal endpoint (external directories; Workers have no LDAP sockets). */
  SYNC_WORKER_URL?: string
}

const REMOTE_DATABASE = /^(libsql|https|wss):/i

/**
 * Workers need what Bun can default: BASE_URL (there is no local port to derive it from) and
 * SECRET_KEY (there is no disk to generate it onto); and a database that is reachable from the
 * edge.
 */
export function parseWorkerConfig(env: WorkerVariables, hasD1Binding: boolean): Config {
  const vars = {
    BASE_URL: env.BASE_URL,
    DATABASE_URL: env.DATABASE_URL,
    DATABASE_AUTH_TOKEN: env.DATABASE_AUTH_TOKEN,
    SECRET_KEY: env.SECRET_KEY,
    LOG_LEVEL: env.LOG_LEVEL,
    RESEND_API_KEY: env.RESEND_API_KEY,
    EMAIL_FROM: env.EMAIL_FROM,
    DEFAULT_TENANT: env.DEFAULT_TENANT,
    SYNC_WORKER_URL: env.SYNC_WORKER_URL,
  }
  const problems: ConfigProblem[] = []
  if (!env.BASE_URL?.trim()) {
    problems.push({
      variable: 'BASE_URL',
      message: 'is required on Workers (the public https URL)',
    })
  }
  if (!hasD1Binding && !REMOTE_DATABASE.test(env.DATABASE_URL ?? '')) {
    problems.push({
      variable: 'DATABASE_URL',
      message:
        'must be a libsql:// or https:// URL on Workers, unless a D1 database is bound as DB',
    })
  }
  try {
    const config = parseConfig(vars)
    if (problems.length === 0) return config
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    problems.push(...error.problems)
  }
  throw new ConfigError(problems)
}
