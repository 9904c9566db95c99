import * as v from 'valibot'

/**
 * The configuration contract of DESIGN.md: environment variables (Bun) or bindings (Workers),
 * validated once at start-up into a typed {@link Config}.
 *
 * @example
 * const config = parseConfig({ SECRET_KEY: 'x'.repeat(32), PORT: '8080' })
 * config.baseUrl // 'http://localhost:8080'
 */
export interface Config {
  port: number
  /** Public root without a trailing slash; hrefs and OIDC issuers are built from it. */
  baseUrl: string
  databaseUrl: string
  databaseAuthToken: string | undefined
  /** Master key that seals stored secrets (at least 32 characters of randomness). */
  secretKey: string
  logLevel: LogLevel
  /** Outgoing mail: through Resend when `resendApiKey` is set, otherwise only logged. */
  email: EmailConfig
  /** The tenant whose OIDC issuer is `${BASE_URL}/openid` (DEFAULT_TENANT); else the first one. */
  defaultTenant: string | undefined
  /**
   * Where the sync worker's internal endpoint is (SYNC_WORKER_URL), for a runtime without LDAP
   * sockets (Workers): logins of external accounts and syncs go through it.
   */
  syncWorkerUrl: string | undefined
}

export interface EmailConfig {
  resendApiKey: string | undefined
  /** The default sender, `Name <address>` or an address (EMAIL_FROM). */
  from: string
}

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

/** Environment as both runtimes present it: strings, possibly absent. */
export type Environment = Readonly<Record<string, string | undefined>>

export const DEFAULT_PORT = 10010
export const DEFAULT_DATABASE_URL = 'file:./data/edgepass.db'
export const MIN_SECRET_KEY_LENGTH = 32

/** Variables whose values must never be echoed back in an error message. */
const SECRET_VARIABLES = new Set(['SECRET_KEY', 'DATABASE_AUTH_TOKEN', 'RESEND_API_KEY'])

const DATABASE_SCHEMES = ['file:', 'libsql:', 'https:', 'http:', 'wss:', 'ws:']

const portSchema = v.pipe(
  v.string(),
  v.regex(/^\d{1,5}$/, 'must be a whole number from 1 to 65535'),
  v.transform(Number),
  v.number(),
  v.minValue(1, 'must be a whole number from 1 to 65535'),
  v.maxValue(65535, 'must be a whole number from 1 to 65535'),
)

const baseUrlSchema = v.pipe(
  v.string(),
  v.check(isHttpUrl, 'must be an absolute http:// or https:// URL, e.g. https://id.example.com'),
  v.check((value) => !/[?#]/.test(value), 'must not contain a query string or fragment'),
  v.transform((value) => value.replace(/\/+$/, '')),
)

const databaseUrlSchema = v.pipe(
  v.string(),
  v.check(
    (value) => value === ':memory:' || DATABASE_SCHEMES.includes(schemeOf(value)),
    'must be file:PATH, libsql://HOST, https://HOST or :memory:',
  ),
)

const secretKeySchema = v.pipe(
  v.string(),
  v.minLength(
    MIN_SECRET_KEY_LENGTH,
    `must be at least ${MIN_SECRET_KEY_LENGTH} characters (generate one with: openssl rand -base64 32)`,
  ),
  v.check((value) => !/\s/.test(value), 'must not contain white space'),
)

/** `address` or `Name <address>`, as Resend's `from` field takes it. */
const EMAIL_FROM =
  /^(?:[^<>\r\n]{1,200} <[^\s<>@]{1,64}@[^\s<>@]{1,253}>|[^\s<>@]{1,64}@[^\s<>@]{1,253})$/

const emailFromSchema = v.pipe(
  v.string(),
  v.regex(EMAIL_FROM, 'must be an address or "Name <address>", e.g. "Edgepass <id@example.com>"'),
)

const resendApiKeySchema = v.pipe(
  v.string(),
  v.regex(/^re_[A-Za-z0-9_-]{8,200}$/, 'must be a Resend API key (re_…)'),
)

const logLevelSchema = v.picklist(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`)

const variables = {
  PORT: portSchema,
  BASE_URL: baseUrlSchema,
  DATABASE_URL: databaseUrlSchema,
  DATABASE_AUTH_TOKEN: v.string(),
  SECRET_KEY: secretKeySchema,
  LOG_LEVEL: logLevelSchema,
  RESEND_API_KEY: resendApiKeySchema,
  EMAIL_FROM: emailFromSchema,
  DEFAULT_TENANT: v.pipe(
    v.string(),
    v.regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'must be a tenant name key'),
  ),
  SYNC_WORKER_URL: v.pipe(
    v.string(),
    v.check(isHttpUrl, "must be the sync worker's http:// or https:// URL"),
  ),
} as const

export type VariableName = keyof typeof variables

/** One bad or missing variable. */
export interface ConfigProblem {
  variable: string
  message: string
}

/** Thrown by {@link parseConfig}; its message is the one line an operator sees. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(`invalid configuration: ${problems.map((p) => `${p.variable} ${p.message}`).join('; ')}`)
  }
}

/**
 * Checks every variable and returns what is wrong, without throwing. `skip` leaves out variables
 * the caller resolves itself (the Bun runtime generates SECRET_KEY when it is absent).
 */
export function findConfigProblems(
  env: Environment,
  skip: readonly VariableName[] = [],
): ConfigProblem[] {
  const problems: ConfigProblem[] = []
  for (const [name, schema] of Object.entries(variables) as [VariableName, v.GenericSchema][]) {
    if (skip.includes(name)) continue
    const raw = valueOf(env, name)
    if (raw === undefined) {
      if (name === 'SECRET_KEY') problems.push({ variable: name, message: 'is required' })
      continue
    }
    const result = v.safeParse(schema, raw)
    if (!result.success) {
      const shown = SECRET_VARIABLES.has(name) ? '' : ` (got ${JSON.stringify(raw)})`
      problems.push({ variable: name, message: `${result.issues[0].message}${shown}` })
    }
  }
  return problems
}

/**
 * Validates the environment into a {@link Config}.
 *
 * @throws {ConfigError} naming every bad or missing variable.
 */
export function parseConfig(env: Environment): Config {
  const problems = findConfigProblems(env)
  if (problems.length > 0) throw new ConfigError(problems)
  const port = v.parse(portSchema, valueOf(env, 'PORT') ?? String(DEFAULT_PORT))
  const baseUrlValue = valueOf(env, 'BASE_URL')
  const baseUrl = baseUrlValue ? v.parse(baseUrlSchema, baseUrlValue) : `http://localhost:${port}`
  return {
    port,
    baseUrl,
    databaseUrl: valueOf(env, 'DATABASE_URL') ?? DEFAULT_DATABASE_URL,
    databaseAuthToken: valueOf(env, 'DATABASE_AUTH_TOKEN'),
    secretKey: valueOf(env, 'SECRET_KEY') as string,
    logLevel: (valueOf(env, 'LOG_LEVEL') as LogLevel | undefined) ?? 'info',
    email: {
      resendApiKey: valueOf(env, 'RESEND_API_KEY'),
      from: valueOf(env, 'EMAIL_FROM') ?? `Edgepass <noreply@${new URL(baseUrl).hostname}>`,
    },
    defaultTenant: valueOf(env, 'DEFAULT_TENANT'),
    syncWorkerUrl: valueOf(env, 'SYNC_WORKER_URL'),
  }
}

/** An empty variable counts as unset, as shells and `.env` files commonly leave them. */
function valueOf(env: Environment, name: VariableName): string | undefined {
  const value = env[name]
  return value === undefined || value.trim() === '' ? undefined : value.trim()
}

function schemeOf(value: string): string {
  const match = /^([a-z][a-z0-9+.-]*:)/i.exec(value)
  return match ? match[1]!.toLowerCase() : ''
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value)
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== ''
  } catch {
    return false
  }
}
