import { expect, test } from 'bun:test'
import { bootstrapAdmin, type Admin } from '../harness/admin'
import { describeTargets, TEST_BASE_URL } from '../harness/targets'

const ERROR_FIELDS = ['status', 'code', 'message', 'developerMessage', 'moreInfo', 'requestId']

describeTargets('error responses', (target) => {
  let admin: Admin
  const asAdmin = (init: RequestInit = {}) => ({
    ...init,
    headers: { ...init.headers, authorization: admin.basic },
  })

  test('an unknown address answers 404 with all six Stormpath error fields', async () => {
    admin = await bootstrapAdmin(target.request, 'errors')
    for (const path of ['/nowhere', '/v1/nowhere', '/v1/tenants/abc/xyz']) {
      const response = await target.request(path, asAdmin())
      expect(response.status).toBe(404)
      expect(response.headers.get('content-type')).toStartWith('application/json')
      const body = (await response.json()) as Record<string, unknown>
      expect(Object.keys(body).sort()).toEqual([...ERROR_FIELDS].sort())
      expect(body).toMatchObject({
        status: 404,
        code: 404,
        moreInfo: `${TEST_BASE_URL}/errors/404`,
      })
    }
  })

  test('moreInfo leads to a page describing the code', async () => {
    const response = await target.request('/errors/1100')
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ code: 1100, title: 'Method not supported' })
    expect((await target.request('/errors/12345')).status).toBe(404)
    expect((await target.request('/errors/not-a-number')).status).toBe(404)
  })

  test('hostile paths get a 4xx, never a 5xx', async () => {
    const paths = [
      `/v1/${'a'.repeat(8000)}`,
      '/v1/%ZZ%invalid-escape',
      '/v1/..%2F..%2Fetc%2Fpasswd',
      '/v1/%00',
      '/%E0%A4%A',
      '/v1/accounts?limit=%FF%FE',
    ]
    for (const path of paths) {
      const response = await target.request(path)
      expect(response.status).toBeGreaterThanOrEqual(400)
      expect(response.status).toBeLessThan(500)
      expect(((await response.json()) as { requestId: string }).requestId).toBeString()
    }
  })

  test('a body larger than 10 MiB is refused with 413 before it is read whole', async () => {
    const response = await target.request('/v1/tenants', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'x'.repeat(10 * 1024 * 1024 + 1),
    })
    expect(response.status).toBe(413)
    expect(await response.json()).toMatchObject({ status: 413, code: 413 })
  })

  test('a malformed JSON body to an unknown resource still answers 404, not 500', async () => {
    const response = await target.request(
      '/v1/nowhere',
      asAdmin({
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"unterminated": ',
      }),
    )
    expect(response.status).toBe(404)
  })

  test('an unauthenticated /v1 request answers 401 before any routing', async () => {
    for (const path of ['/v1/nowhere', '/v1/tenants/current', '/v1/accounts/x']) {
      const response = await target.request(path)
      expect(response.status).toBe(401)
      expect(await response.json()).toMatchObject({ status: 401, code: 401 })
    }
  })
})
