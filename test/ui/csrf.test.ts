import { describe, expect, test } from 'bun:test'
import { csrfCookie } from '../../src/ui/csrf'

describe('the CSRF cookie', () => {
  test('over https: __Host- prefixed, Secure, host-only, Path=/ (what the prefix demands)', () => {
    expect(csrfCookie('https://id.example.com')).toEqual({
      name: '__Host-edgepass-csrf',
      options: { httpOnly: true, sameSite: 'Strict', secure: true, path: '/' },
    })
  })

  test('over http (development): no prefix, not Secure, limited to the pages', () => {
    expect(csrfCookie('http://localhost:10010')).toEqual({
      name: 'edgepass-csrf',
      options: { httpOnly: true, sameSite: 'Strict', path: '/ui' },
    })
  })

  test('under a BASE_URL with a path, the cookie path follows it', () => {
    expect(csrfCookie('http://example.test/identity').options.path).toBe('/identity/ui')
  })
})
