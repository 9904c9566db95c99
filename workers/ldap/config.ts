/**
 * The LDAP worker's own settings (environment variables; the database and SECRET_KEY are the
 * app's, read by `loadConfig`). Bad values are reported together, one line, as the app does.
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | `LDAP_PORT` | 3890 | plain LDAP (and StartTLS); `off` leaves the worker out of `npm start` |
 * | `LDAP_HOST` | 0.0.0.0 | the address to listen on (tenants' allowlists still apply) |
 * | `LDAP_TLS_CERT`, `LDAP_TLS_KEY` | — | PEM files; both set enables LDAPS and StartTLS |
 * | `LDAPS_PORT` | 6360 | LDAPS, when a certificate is configured |
 * | `LDAP_SIZE_LIMIT` | 10000 | most entries an unpaged search returns |
 * | `LDAP_TIME_LIMIT` | 10 | longest a search runs, in seconds |
 * | `LDAP_IDLE_TIMEOUT` | 900 | seconds before an idle connection is closed |
 * | `LDAP_MAX_CONNECTIONS` | 20000 | connections accepted at once |
 */
import { readFileSync } from 'node:fs'
import { ConfigError, type ConfigProblem, type Environment } from '../../src/config'

export interface LdapConfig {
  /** undefined when LDAP_PORT=off. */
  port: number | undefined
  hostname: string
  tls: { cert: string; key: string; port: number } | undefined
  sizeLimit: number
  timeLimitSeconds: number
  idleTimeoutSeconds: number
  maxConnections: number
}

export const DEFAULT_LDAP_PORT = 3890
export const DEFAULT_LDAPS_PORT = 6360

/** Reads and checks the LDAP variables; throws {@link ConfigError} naming every bad one. */
export function parseLdapConfig(
  env: Environment,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): LdapConfig {
  const problems: ConfigProblem[] = []
  const number = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name]?.trim()
    if (raw === undefined || raw === '') return fallback
    if (!/^\d{1,9}$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      problems.push({ variable: name, message: `must be a whole number from ${min} to ${max}` })
      return fallback
    }
    return Number(raw)
  }
  const off = env.LDAP_PORT?.trim().toLowerCase() === 'off'
  const port = off ? undefined : number('LDAP_PORT', DEFAULT_LDAP_PORT, 1, 65535)
  const certPath = env.LDAP_TLS_CERT?.trim()
  const keyPath = env.LDAP_TLS_KEY?.trim()
  let tls: LdapConfig['tls']
  if (certPath || keyPath) {
    if (!certPath || !keyPath) {
      problems.push({
        variable: certPath ? 'LDAP_TLS_KEY' : 'LDAP_TLS_CERT',
        message: 'must be set with the other (a certificate and its key, PEM files)',
      })
    } else {
      const read = (variable: string, path: string) => {
        try {
          const pem = readFile(path)
          if (!pem.includes('-----BEGIN'))
            problems.push({ variable, message: `${path} is not a PEM file` })
          return pem
        } catch {
          problems.push({ variable, message: `cannot read ${path}` })
          return ''
        }
      }
      tls = {
        cert: read('LDAP_TLS_CERT', certPath),
        key: read('LDAP_TLS_KEY', keyPath),
        port: number('LDAPS_PORT', DEFAULT_LDAPS_PORT, 1, 65535),
      }
    }
  }
  const config: LdapConfig = {
    port,
    hostname: env.LDAP_HOST?.trim() || '0.0.0.0',
    tls,
    sizeLimit: number('LDAP_SIZE_LIMIT', 10_000, 1, 1_000_000),
    timeLimitSeconds: number('LDAP_TIME_LIMIT', 10, 1, 3600),
    idleTimeoutSeconds: number('LDAP_IDLE_TIMEOUT', 900, 1, 86_400),
    maxConnections: number('LDAP_MAX_CONNECTIONS', 20_000, 1, 1_000_000),
  }
  if (problems.length > 0) throw new ConfigError(problems)
  return config
}
