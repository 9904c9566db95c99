import { describe, expect, test } from 'bun:test'
import { ConfigError } from '../../src/config'
import { parseWorkerConfig, type WorkerVariables } from '../../src/runtime/worker-config'

const SECRET = 'k'.repeat(32)

function problemOf(env: WorkerVariables, hasD1Binding = true): string {
  try {
    parseWorkerConfig(env, hasD1Binding)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return (error as ConfigError).message
  }
  throw new Error('expected a ConfigError')
}

describe('Workers configuration', () => {
  test('a D1 binding, BASE_URL and SECRET_KEY suffice', () => {
    const config = parseWorkerConfig(
      { BASE_URL: 'https://id.example.com', SECRET_KEY: SECRET },
      true,
    )
    expect(config.baseUrl).toBe('https://id.example.com')
  })

  test('Turso over HTTP replaces the D1 binding', () => {
    const config = parseWorkerConfig(
      {
        BASE_URL: 'https://id.example.com',
        SECRET_KEY: SECRET,
        DATABASE_URL: 'libsql://edgepass-acme.turso.io',
        DATABASE_AUTH_TOKEN: 'token',
      },
      false,
    )
    expect(config.databaseUrl).toBe('libsql://edgepass-acme.turso.io')
  })

  test('SECRET_KEY and BASE_URL are required, as there is no disk or port to default from', () => {
    const message = problemOf({})
    expect(message).toContain('BASE_URL is required on Workers')
    expect(message).toContain('SECRET_KEY is required')
  })

  test('an embedded file database is refused on Workers', () => {
    expect(
      problemOf(
        { BASE_URL: 'https://x.io', SECRET_KEY: SECRET, DATABASE_URL: 'file:./x.db' },
        false,
      ),
    ).toContain('DATABASE_URL must be a libsql:// or https:// URL on Workers')
  })
})
