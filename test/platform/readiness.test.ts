import { expect, test } from 'bun:test'
import { startTarget } from '../harness/targets'

test('GET /ready answers 503 when the database does not answer, while /health stays 200 [bun]', async () => {
  const target = await startTarget('bun')
  await target.stop() // closes the libSQL client under the running app
  const ready = await target.request('/ready')
  expect(ready.status).toBe(503)
  expect(await ready.json()).toMatchObject({
    status: 503,
    code: 503,
    developerMessage: 'The database did not answer.',
  })
  expect((await target.request('/health')).status).toBe(200)
})
