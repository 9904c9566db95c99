import { describe, expect, test } from 'bun:test'
import { Hono, type ExecutionContext } from 'hono'
import { parseConfig } from '../../src/config'
import { createLogger } from '../../src/log'
import { deliverInBackground } from '../../src/mail/delivery'
import type { SenderDeps } from '../../src/mail/sender'
import type { Database } from '../../src/store/db'
import { testEnv } from '../harness/targets'

/** Deps whose database is down, so that every delivery fails, and the log lines they write. */
function failingDeps() {
  const lines: string[] = []
  const db = {
    select: () => {
      throw new Error('database is down')
    },
  } as unknown as Database
  const config = parseConfig(testEnv({ LOG_LEVEL: 'info' }))
  const deps: SenderDeps = {
    config,
    db,
    log: createLogger('info', (line) => lines.push(line)),
    now: () => new Date(),
    sealer: { seal: async () => '', open: async () => '' },
    fetch: async () => new Response(null, { status: 599 }),
  }
  return { deps, lines }
}

function appQueuingMail(deps: SenderDeps) {
  const app = new Hono()
  app.post('/accounts', (c) => {
    deliverInBackground(c, deps)
    return c.json({ created: true }, 201)
  })
  return app
}

describe('deliverInBackground', () => {
  test('hands the delivery to the execution context’s waitUntil (Workers, and Bun’s entry)', async () => {
    const { deps, lines } = failingDeps()
    const waited: Promise<unknown>[] = []
    const ctx: ExecutionContext = {
      waitUntil: (promise) => void waited.push(promise),
      passThroughOnException: () => {},
      props: {},
    }
    const response = await appQueuingMail(deps).fetch(
      new Request('http://edgepass.test/accounts', { method: 'POST' }),
      {},
      ctx,
    )

    expect(response.status).toBe(201)
    expect(waited).toHaveLength(1)
    await waited[0]
    expect(lines.map((line) => JSON.parse(line).msg)).toEqual(['mail delivery failed'])
  })

  test('without an execution context the delivery runs on; a failure is logged, never answered', async () => {
    const { deps, lines } = failingDeps()
    const response = await appQueuingMail(deps).request('/accounts', { method: 'POST' })

    expect(response.status).toBe(201)
    expect(await response.json()).toEqual({ created: true })
    await Bun.sleep(0)
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({
        level: 'error',
        msg: 'mail delivery failed',
        errorMessage: 'database is down',
      }),
    ])
  })
})
