import type { LogLevel } from './config'

/**
 * Structured logging: one JSON object per line. Fields are chosen by the caller; by convention
 * nothing that could hold a secret (bodies, credentials, tokens, query strings) is ever passed.
 *
 * @example
 * const log = createLogger('info', (line) => console.log(line))
 * log.info('request', { method: 'GET', path: '/health', status: 200 })
 */
export interface Logger {
  debug(message: string, fields?: LogFields): void
  info(message: string, fields?: LogFields): void
  warn(message: string, fields?: LogFields): void
  error(message: string, fields?: LogFields): void
}

export type LogFields = Record<string, string | number | boolean | null | undefined>

const SEVERITY: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 }

export function createLogger(
  level: LogLevel,
  write: (line: string) => void,
  now: () => Date = () => new Date(),
): Logger {
  const emit = (at: Exclude<LogLevel, 'silent'>) => (message: string, fields?: LogFields) => {
    if (SEVERITY[at] < SEVERITY[level]) return
    write(JSON.stringify({ time: now().toISOString(), level: at, msg: message, ...fields }))
  }
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') }
}

/** Fields that describe an unexpected error for the log, without its cause chain's data. */
export function describeError(error: unknown): LogFields {
  if (error instanceof Error) {
    return { error: error.name, errorMessage: error.message, stack: error.stack }
  }
  return { error: typeof error }
}
