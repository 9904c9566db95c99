import { expect, test } from 'bun:test'
import pkg from '../../package.json'
import { describeTargets } from '../harness/targets'

describeTargets('operational endpoints', (target) => {
  test('GET /health answers 200 while the process is alive', async () => {
    const response = await target.request('/health')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ status: 'ok' })
  })

  test('GET /ready answers 200 once the database answers', async () => {
    const response = await target.request('/ready')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ status: 'ready' })
  })

  test('GET /version names the package version and the runtime serving it', async () => {
    const response = await target.request('/version')
    expect(await response.json()).toEqual({
      name: 'edgepass',
      version: pkg.version,
      runtime: target.name,
    })
  })

  test('HEAD is answered like GET, without a body', async () => {
    const response = await target.request('/health', { method: 'HEAD' })
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('')
  })

  test('other methods get 405 with an Allow header and a Stormpath error body', async () => {
    for (const path of ['/health', '/ready', '/version']) {
      const response = await target.request(path, { method: 'POST', body: '{}' })
      expect(response.status).toBe(405)
      expect(response.headers.get('allow')).toBe('GET, HEAD')
      expect(await response.json()).toMatchObject({ status: 405, code: 1100 })
    }
  })
})
