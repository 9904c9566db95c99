import { describe, expect, test } from 'bun:test'
import { ConfigError, parseConfig } from '../../src/config'

const SECRET = 'k'.repeat(32)

function problemOf(env: Record<string, string>): string {
  try {
    parseConfig({ SECRET_KEY: SECRET, ...env })
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return (error as ConfigError).message
  }
  throw new Error('expected a ConfigError')
}

describe('configuration', () => {
  test('defaults follow the contract table', () => {
    expect(parseConfig({ SECRET_KEY: SECRET })).toEqual({
      port: 10010,
      baseUrl: 'http://localhost:10010',
      databaseUrl: 'file:./data/edgepass.db',
      databaseAuthToken: undefined,
      secretKey: SECRET,
      logLevel: 'info',
      email: { resendApiKey: undefined, from: 'Edgepass <noreply@localhost>' },
      defaultTenant: undefined,
      syncWorkerUrl: undefined,
    })
  })

  test('EMAIL_FROM and RESEND_API_KEY are checked, and the key is never echoed', () => {
    const config = parseConfig({
      SECRET_KEY: SECRET,
      EMAIL_FROM: 'Acme Login <login@acme.test>',
      RESEND_API_KEY: 're_test_0123456789',
    })
    expect(config.email).toEqual({
      resendApiKey: 're_test_0123456789',
      from: 'Acme Login <login@acme.test>',
    })
    const message = problemOf({
      SECRET_KEY: SECRET,
      EMAIL_FROM: 'not an address',
      RESEND_API_KEY: 'sk_live_secret',
    })
    expect(message).toContain('EMAIL_FROM must be an address')
    expect(message).toContain('RESEND_API_KEY must be a Resend API key')
    expect(message).not.toContain('sk_live_secret')
  })

  test('BASE_URL defaults to the port and loses its trailing slash', () => {
    expect(parseConfig({ SECRET_KEY: SECRET, PORT: '8080' }).baseUrl).toBe('http://localhost:8080')
    expect(parseConfig({ SECRET_KEY: SECRET, BASE_URL: 'https://id.example.com/' }).baseUrl).toBe(
      'https://id.example.com',
    )
    expect(parseConfig({ SECRET_KEY: SECRET, BASE_URL: 'https://x.io/auth//' }).baseUrl).toBe(
      'https://x.io/auth',
    )
  })

  test('an empty variable counts as unset', () => {
    expect(parseConfig({ SECRET_KEY: SECRET, PORT: '', BASE_URL: ' ' }).port).toBe(10010)
  })

  test('accepted database URLs', () => {
    for (const url of [
      'file:/tmp/x.db',
      ':memory:',
      'libsql://db.turso.io',
      'https://db.turso.io',
    ]) {
      expect(parseConfig({ SECRET_KEY: SECRET, DATABASE_URL: url }).databaseUrl).toBe(url)
    }
  })

  test.each([
    ['PORT', 'abc', 'PORT must be a whole number from 1 to 65535 (got "abc")'],
    ['PORT', '0', 'PORT must be a whole number from 1 to 65535 (got "0")'],
    ['PORT', '65536', 'PORT must be a whole number from 1 to 65535 (got "65536")'],
    ['PORT', '80.5', 'PORT must be a whole number'],
    ['PORT', '-1', 'PORT must be a whole number'],
    ['PORT', '9'.repeat(40), 'PORT must be a whole number'],
    ['DATABASE_URL', 'ftp://x', 'DATABASE_URL must be file:PATH, libsql://HOST, https://HOST'],
    ['DATABASE_URL', 'postgres://db/x', 'DATABASE_URL must be'],
    ['DATABASE_URL', './relative.db', 'DATABASE_URL must be'],
    ['BASE_URL', 'localhost:8080', 'BASE_URL must be an absolute http:// or https:// URL'],
    ['BASE_URL', 'javascript:alert(1)', 'BASE_URL must be an absolute http://'],
    ['BASE_URL', 'https://x.io/?next=evil', 'BASE_URL must not contain a query string'],
    ['LOG_LEVEL', 'verbose', 'LOG_LEVEL must be one of debug, info, warn, error, silent'],
  ])('%s=%p is refused with one line naming the variable', (name, value, expected) => {
    const message = problemOf({ [name]: value })
    expect(message).toContain(expected)
    expect(message).not.toContain('\n')
  })

  test('a missing SECRET_KEY is named', () => {
    expect(() => parseConfig({})).toThrow('invalid configuration: SECRET_KEY is required')
  })

  test('secret leakage: a bad SECRET_KEY or token is never echoed', () => {
    const message = problemOf({ SECRET_KEY: 'short-but-secret' })
    expect(message).toContain('SECRET_KEY must be at least 32 characters')
    expect(message).not.toContain('short-but-secret')
    expect(problemOf({ SECRET_KEY: `${SECRET} with spaces` })).not.toContain('with spaces')
  })

  test('every bad variable is reported on the same line', () => {
    const message = problemOf({ PORT: 'abc', LOG_LEVEL: 'loud' })
    expect(message).toContain('PORT must')
    expect(message).toContain('; LOG_LEVEL must')
  })
})
