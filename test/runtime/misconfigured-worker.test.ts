import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { TARGETS, type Target } from '../harness/targets'
import { startWorkerd } from '../harness/workerd'

// Workers have no start-up to fail: a deployment without SECRET_KEY must say so on every request.
describe.if(TARGETS.includes('workerd'))('misconfigured Worker [workerd]', () => {
  let worker: Target
  beforeAll(async () => {
    worker = await startWorkerd({}, { BASE_URL: 'https://id.example.com', LOG_LEVEL: 'silent' })
  })
  afterAll(() => worker.stop())

  test('answers 503 naming the missing variable, with a request id', async () => {
    const response = await worker.request('/ready')
    expect(response.status).toBe(503)
    expect(response.headers.get('stormpath-request-id')).toBeString()
    const body = (await response.json()) as { code: number; developerMessage: string }
    expect(body.code).toBe(503)
    expect(body.developerMessage).toBe('invalid configuration: SECRET_KEY is required')
  })
})
