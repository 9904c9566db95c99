import { expect, test } from 'bun:test'
import { describeTargets } from '../harness/targets'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describeTargets('request ids', (target) => {
  test('every response carries a fresh Stormpath-Request-Id', async () => {
    const ids = new Set<string>()
    for (const path of ['/health', '/ready', '/version', '/nowhere', '/v1/nowhere']) {
      const id = (await target.request(path)).headers.get('stormpath-request-id')
      expect(id).toMatch(UUID)
      ids.add(id!)
    }
    expect(ids.size).toBe(5)
  })

  test('error bodies echo the request id of their response', async () => {
    const response = await target.request('/v1/nowhere')
    const body = (await response.json()) as { requestId: string }
    expect(body.requestId).toBe(response.headers.get('stormpath-request-id')!)
  })

  test('request id forgery: an id sent by the client is not adopted', async () => {
    const forged = '00000000-0000-4000-8000-000000000000'
    const response = await target.request('/health', {
      headers: { 'Stormpath-Request-Id': forged, 'X-Request-Id': forged },
    })
    expect(response.headers.get('stormpath-request-id')).not.toBe(forged)
  })
})
