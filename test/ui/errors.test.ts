/**
 * The `/ui` error face with a database that fails: what a person sees when something breaks,
 * and what the operator sees in the log.
 */
import { describe, expect, test } from 'bun:test'
import { createApp } from '../../src/app'
import { parseConfig } from '../../src/config'
import type { Deps } from '../../src/deps'
import { createLogger } from '../../src/log'
import type { Database } from '../../src/store/db'
import { testEnv, TEST_BASE_URL } from '../harness/targets'

const SECRET_DETAIL = 'connection to db-7.internal:5432 refused'

/** The app over a database whose every use throws, logging into `lines`. */
function brokenApp(lines: string[]) {
  const db = new Proxy({} as Database, {
    get() {
      throw new Error(SECRET_DETAIL)
    },
  })
  const config = parseConfig(testEnv({ LOG_LEVEL: 'error' }))
  const deps = { config, db, log: createLogger('error', (line) => lines.push(line)) } as Deps
  return createApp(deps)
}

describe('errors on the hosted pages', () => {
  test('an unexpected error is a generic 500 page; its message goes to the log only', async () => {
    const lines: string[] = []
    const response = await brokenApp(lines).request(
      `${TEST_BASE_URL}/ui/verify?sptoken=${'A'.repeat(43)}`,
    )
    expect(response.status).toBe(500)
    expect(response.headers.get('content-type')).toStartWith('text/html')
    expect(response.headers.get('cache-control')).toBe('no-store')
    const html = await response.text()
    expect(html).toContain('<h1>Something went wrong</h1>')
    expect(html).not.toContain(SECRET_DETAIL)
    expect(lines).toHaveLength(1)
    const logged = JSON.parse(lines[0]!)
    expect(logged).toMatchObject({
      level: 'error',
      msg: 'unexpected error',
      errorMessage: SECRET_DETAIL,
    })
    expect(logged.requestId).toBe(response.headers.get('stormpath-request-id'))
  })

  test('a token that is not token-shaped is refused before the database is asked', async () => {
    const lines: string[] = []
    const app = brokenApp(lines)
    for (const path of ['/ui/verify?sptoken=not a token', `/ui/reset?sptoken=${'a'.repeat(129)}`]) {
      const response = await app.request(`${TEST_BASE_URL}${path}`)
      expect(response.status).toBe(404)
    }
    expect(lines).toEqual([])
  })
})
