import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startTarget, type Target } from '../harness/targets'

// In-process only: workerd's console goes to Miniflare, and the logging code is the same.
describe('access log [bun]', () => {
  const lines: string[] = []
  let target: Target
  beforeAll(async () => {
    target = await startTarget('bun', { onLog: (line) => lines.push(line) })
  })
  afterAll(() => target.stop())

  test('one JSON line per request with method, path, status, duration and request id', async () => {
    lines.length = 0
    const response = await target.request('/health')
    expect(lines).toHaveLength(1)
    const entry = JSON.parse(lines[0]!)
    expect(entry).toMatchObject({
      level: 'info',
      msg: 'request',
      method: 'GET',
      path: '/health',
      status: 200,
      requestId: response.headers.get('stormpath-request-id'),
    })
    expect(entry.durationMs).toBeNumber()
    expect(Date.parse(entry.time)).not.toBeNaN()
  })

  test('errors are logged with their final status', async () => {
    lines.length = 0
    await target.request('/v1/nowhere', { method: 'DELETE' })
    expect(JSON.parse(lines[0]!)).toMatchObject({
      method: 'DELETE',
      path: '/v1/nowhere',
      status: 401,
    })
  })

  test('credential leakage: tokens, credentials and bodies never reach the log', async () => {
    lines.length = 0
    await target.request('/v1/accounts?sptoken=TOKEN-IN-QUERY&access_token=AT-IN-QUERY', {
      method: 'POST',
      headers: {
        authorization: `Basic ${btoa('key-id:KEY-SECRET')}`,
        cookie: 'session=COOKIE-VALUE',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ password: 'PASSWORD-IN-BODY' }),
    })
    const log = lines.join('\n')
    expect(lines).toHaveLength(1)
    for (const secret of [
      'TOKEN-IN-QUERY',
      'AT-IN-QUERY',
      'KEY-SECRET',
      'a2V5LWlk',
      'COOKIE-VALUE',
      'PASSWORD-IN-BODY',
    ]) {
      expect(log).not.toContain(secret)
    }
  })
})
