import { describe, expect, test } from 'bun:test'
import {
  computeSAuthc1Signature,
  parseSAuthc1Header,
  signSAuthc1,
  verifySAuthc1,
  type SAuthc1Header,
  type SignedRequest,
} from '../../src/security/sauthc1'

// Reference §5.3 known-answer vectors (shared by several SDK test suites).
const KEY_ID = 'MyId'
const SECRET = 'Shush!'
const TIMESTAMP = '20130701T000000Z'
const SIGNED_AT = new Date('2013-07-01T00:00:00Z')
const NONCE = 'a43a9d25-ab06-421e-8605-33fd1e760825'
const EMPTY = new Uint8Array()
const MINUTE = 60_000

function vectorRequest(url: string): SignedRequest {
  return {
    method: 'GET',
    url,
    headers: new Headers({ Host: 'api.stormpath.com', 'X-Stormpath-Date': TIMESTAMP }),
    body: EMPTY,
  }
}
const vectorScope = {
  apiKeyId: KEY_ID,
  date: '20130701',
  nonce: NONCE,
  signedHeaders: ['host', 'x-stormpath-date'],
}

/** Signs like an SDK, then hands back what a server would see. */
async function signedRequest(
  init: { method?: string; url?: string; body?: string; headers?: Record<string, string> } = {},
  signedAt = SIGNED_AT,
): Promise<{ request: SignedRequest; header: SAuthc1Header }> {
  const request = {
    method: init.method ?? 'GET',
    url: init.url ?? 'https://edgepass.example/v1/accounts?limit=25',
    headers: new Headers(init.headers),
    body: new TextEncoder().encode(init.body ?? ''),
  }
  const headers = await signSAuthc1(request, KEY_ID, SECRET, signedAt, NONCE)
  const header = parseSAuthc1Header(headers.get('authorization') ?? '')
  if (!header) throw new Error('signSAuthc1 produced an unparseable header')
  return { request: { ...request, headers }, header }
}

describe('SAuthc1 known-answer vectors (§5.3)', () => {
  test('GET https://api.stormpath.com/v1/ signs to 990a95aa…', async () => {
    const signature = await computeSAuthc1Signature(
      vectorRequest('https://api.stormpath.com/v1/'),
      vectorScope,
      TIMESTAMP,
      SECRET,
    )
    expect(signature).toBe('990a95aabbcbeb53e48fb721f73b75bd3ae025a2e86ad359d08558e1bbb9411c')
  })

  test('GET …/v1/directories?orderBy=name+asc signs to fc04c518… (query decoded, "+" is a space)', async () => {
    const signature = await computeSAuthc1Signature(
      vectorRequest('https://api.stormpath.com/v1/directories?orderBy=name+asc'),
      vectorScope,
      TIMESTAMP,
      SECRET,
    )
    expect(signature).toBe('fc04c5187cc017bbdf9c0bb743a52a9487ccb91c0996267988ceae3f10314176')
  })

  test('the query is canonicalised whatever its escaping: %20 and + give the same signature', async () => {
    const plus = await computeSAuthc1Signature(
      vectorRequest('https://api.stormpath.com/v1/directories?orderBy=name+asc'),
      vectorScope,
      TIMESTAMP,
      SECRET,
    )
    const percent = await computeSAuthc1Signature(
      vectorRequest('https://api.stormpath.com/v1/directories?orderBy=name%20asc'),
      vectorScope,
      TIMESTAMP,
      SECRET,
    )
    expect(percent).toBe(plus)
  })

  test('signSAuthc1 builds the exact Authorization header an SDK sends', async () => {
    const headers = await signSAuthc1(
      { method: 'GET', url: 'https://api.stormpath.com/v1/', body: EMPTY },
      KEY_ID,
      SECRET,
      SIGNED_AT,
      NONCE,
    )
    expect(headers.get('x-stormpath-date')).toBe(TIMESTAMP)
    expect(headers.get('host')).toBe('api.stormpath.com')
    expect(headers.get('authorization')).toBe(
      `SAuthc1 sauthc1Id=MyId/20130701/${NONCE}/sauthc1_request, ` +
        'sauthc1SignedHeaders=host;x-stormpath-date, ' +
        'sauthc1Signature=990a95aabbcbeb53e48fb721f73b75bd3ae025a2e86ad359d08558e1bbb9411c',
    )
  })
})

describe('verifySAuthc1', () => {
  test('accepts a signed JSON body', async () => {
    const { request, header } = await signedRequest({
      method: 'POST',
      url: 'https://edgepass.example/v1/applications/abc/accounts',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: '{"email":"ada@example.com","password":"Secr3t!"}',
    })
    expect(header.signedHeaders).toEqual(['accept', 'content-type', 'host', 'x-stormpath-date'])
    expect(await verifySAuthc1(request, header, SECRET, SIGNED_AT)).toEqual({ kind: 'ok' })
  })

  test('accepts a signed form body: the raw bytes are hashed whatever the content type', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' }
    const { request, header } = await signedRequest({
      method: 'POST',
      url: 'https://edgepass.example/v1/applications/abc/oauth/token',
      headers: form,
      body: 'grant_type=password&username=ada&password=Secr3t%21',
    })
    expect(await verifySAuthc1(request, header, SECRET, SIGNED_AT)).toEqual({ kind: 'ok' })
    const emptied = { ...request, body: new Uint8Array() }
    expect((await verifySAuthc1(emptied, header, SECRET, SIGNED_AT)).kind).toBe('invalid')
  })

  test('accepts query parameters in any order and escaping', async () => {
    const { request, header } = await signedRequest({
      url: "https://edgepass.example/v1/accounts?q=a*b~c!'()&email=x%2By@example.com&a=2&a=1",
    })
    const reordered = {
      ...request,
      url: 'https://edgepass.example/v1/accounts?a=1&email=x%2By%40example.com&a=2&q=a%2Ab%7Ec%21%27%28%29',
    }
    expect(await verifySAuthc1(reordered, header, SECRET, SIGNED_AT)).toEqual({ kind: 'ok' })
  })

  test('accepts a timestamp exactly 15 minutes old (the window is inclusive)', async () => {
    const { request, header } = await signedRequest()
    const later = new Date(SIGNED_AT.getTime() + 15 * MINUTE)
    expect(await verifySAuthc1(request, header, SECRET, later)).toEqual({ kind: 'ok' })
  })

  test('tampered body: a changed byte is refused', async () => {
    const { request, header } = await signedRequest({
      method: 'POST',
      body: '{"status":"DISABLED"}',
    })
    const tampered = { ...request, body: new TextEncoder().encode('{"status":"ENABLED"}') }
    expect(await verifySAuthc1(tampered, header, SECRET, SIGNED_AT)).toEqual({
      kind: 'invalid',
      reason: 'signature mismatch',
    })
  })

  test('tampered path, query or method: the signature no longer matches', async () => {
    const { request, header } = await signedRequest({
      url: 'https://edgepass.example/v1/accounts/abc?expand=groups',
    })
    const variants: SignedRequest[] = [
      { ...request, url: 'https://edgepass.example/v1/accounts/xyz?expand=groups' },
      { ...request, url: 'https://edgepass.example/v1/accounts/abc?expand=directory' },
      { ...request, url: 'https://edgepass.example/v1/accounts/abc' },
      { ...request, url: 'https://edgepass.example/v1/accounts/abc?expand=groups&limit=1' },
      { ...request, method: 'DELETE' },
    ]
    for (const variant of variants) {
      expect((await verifySAuthc1(variant, header, SECRET, SIGNED_AT)).kind).toBe('invalid')
    }
  })

  test('a signature made with another secret is refused', async () => {
    const { request, header } = await signedRequest()
    expect((await verifySAuthc1(request, header, 'not-the-secret', SIGNED_AT)).kind).toBe('invalid')
  })

  test('a request signed for another host is refused', async () => {
    const { request, header } = await signedRequest()
    const headers = new Headers(request.headers)
    headers.set('host', 'other.example')
    expect((await verifySAuthc1({ ...request, headers }, header, SECRET, SIGNED_AT)).kind).toBe(
      'invalid',
    )
  })

  test('replay outside the window: a date 16 minutes old is refused', async () => {
    const { request, header } = await signedRequest()
    const now = new Date(SIGNED_AT.getTime() + 16 * MINUTE)
    expect(await verifySAuthc1(request, header, SECRET, now)).toEqual({
      kind: 'invalid',
      reason: 'timestamp outside the allowed window',
    })
  })

  test('pre-signed for later: a date 16 minutes in the future is refused', async () => {
    const { request, header } = await signedRequest()
    const now = new Date(SIGNED_AT.getTime() - 16 * MINUTE)
    expect(await verifySAuthc1(request, header, SECRET, now)).toEqual({
      kind: 'invalid',
      reason: 'timestamp outside the allowed window',
    })
  })

  test('scope date that differs from the X-Stormpath-Date day is refused', async () => {
    const { request, header } = await signedRequest()
    const otherDay = { ...header, date: '20130702' }
    expect(await verifySAuthc1(request, otherDay, SECRET, SIGNED_AT)).toEqual({
      kind: 'invalid',
      reason: 'scope date differs from timestamp',
    })
  })

  test('a malformed or impossible X-Stormpath-Date is refused', async () => {
    const { request, header } = await signedRequest()
    for (const date of ['2013-07-01T00:00:00Z', '20130231T000000Z', '20130701T000000', '']) {
      const headers = new Headers(request.headers)
      headers.set('x-stormpath-date', date)
      expect(await verifySAuthc1({ ...request, headers }, header, SECRET, SIGNED_AT)).toEqual({
        kind: 'invalid',
        reason: 'malformed x-stormpath-date',
      })
    }
  })

  test('host not signed: a header that leaves host out is refused even if the digest matches', async () => {
    const request = vectorRequest('https://api.stormpath.com/v1/')
    const scope = { ...vectorScope, signedHeaders: ['x-stormpath-date'] }
    const signature = await computeSAuthc1Signature(request, scope, TIMESTAMP, SECRET)
    expect(await verifySAuthc1(request, { ...scope, signature }, SECRET, SIGNED_AT)).toEqual({
      kind: 'invalid',
      reason: 'host header not signed',
    })
  })

  test('date not signed: a header that leaves x-stormpath-date out is refused', async () => {
    const request = vectorRequest('https://api.stormpath.com/v1/')
    const scope = { ...vectorScope, signedHeaders: ['host'] }
    const signature = await computeSAuthc1Signature(request, scope, TIMESTAMP, SECRET)
    expect(await verifySAuthc1(request, { ...scope, signature }, SECRET, SIGNED_AT)).toEqual({
      kind: 'invalid',
      reason: 'x-stormpath-date header not signed',
    })
  })

  test('a path with escapes that are not UTF-8 is refused, not thrown', async () => {
    const { request, header } = await signedRequest()
    const hostile = { ...request, url: 'https://edgepass.example/v1/%FF%FE' }
    expect(await verifySAuthc1(hostile, header, SECRET, SIGNED_AT)).toEqual({
      kind: 'invalid',
      reason: 'request cannot be canonicalised',
    })
  })
})

describe('parseSAuthc1Header', () => {
  const signature = '990a95aabbcbeb53e48fb721f73b75bd3ae025a2e86ad359d08558e1bbb9411c'
  const id = `sauthc1Id=MyId/20130701/${NONCE}/sauthc1_request`
  const signed = 'sauthc1SignedHeaders=host;x-stormpath-date'
  const valid = `SAuthc1 ${id}, ${signed}, sauthc1Signature=${signature}`

  test('reads the key id, scope date, nonce, signed headers and signature', () => {
    expect(parseSAuthc1Header(valid)).toEqual({
      apiKeyId: 'MyId',
      date: '20130701',
      nonce: NONCE,
      signedHeaders: ['host', 'x-stormpath-date'],
      signature,
    })
  })

  test('rejects malformed headers without throwing', () => {
    const malformed = [
      '',
      'SAuthc1',
      `Basic ${id}, ${signed}, sauthc1Signature=${signature}`,
      `SAuthc1 ${id}, ${signed}`, // missing pair
      `SAuthc1 ${id}, sauthc1Signature=${signature}`,
      `SAuthc1 ${id}, ${signed}, sauthc1Signature=${signature}, extra=1`, // extra pair
      `SAuthc1 ${id}, ${id}, sauthc1Signature=${signature}`, // duplicate pair
      `SAuthc1 ${id},${signed},sauthc1Signature=${signature}`, // wrong separator
      `SAuthc1 sauthc1Id=MyId/20130701/${NONCE}, ${signed}, sauthc1Signature=${signature}`,
      `SAuthc1 sauthc1Id=MyId/20130701/${NONCE}/other, ${signed}, sauthc1Signature=${signature}`,
      `SAuthc1 sauthc1Id=MyId/2013-07-01/${NONCE}/sauthc1_request, ${signed}, sauthc1Signature=${signature}`,
      `SAuthc1 sauthc1Id=/20130701/${NONCE}/sauthc1_request, ${signed}, sauthc1Signature=${signature}`,
      `SAuthc1 sauthc1Id=MyId/20130701/a/b/sauthc1_request, ${signed}, sauthc1Signature=${signature}`,
      `SAuthc1 ${id}, sauthc1SignedHeaders=host;;x-stormpath-date, sauthc1Signature=${signature}`,
      `SAuthc1 ${id}, ${signed}, sauthc1Signature=${'z'.repeat(64)}`, // non-hex signature
      `SAuthc1 ${id}, ${signed}, sauthc1Signature=${signature.slice(1)}`,
      `SAuthc1 ${id}, ${signed}, sauthc1Signature=`,
      `SAuthc1 ${id}, ${signed}, =${signature}`,
      `SAuthc1 ${id}, sauthc1SignedHeaders=${'a'.repeat(10 * 1024)}, sauthc1Signature=${signature}`, // 10 KB
      `SAuthc1 ${', '.repeat(5 * 1024)}`,
    ]
    for (const value of malformed) {
      expect(() => parseSAuthc1Header(value)).not.toThrow()
      expect(parseSAuthc1Header(value)).toBeUndefined()
    }
  })

  test('accepts the pairs in any order and the scheme in any case (RFC 9110 §11.1)', () => {
    const reordered = `sauthc1 sauthc1Signature=${signature.toUpperCase()}, ${signed}, ${id}`
    expect(parseSAuthc1Header(reordered)).toEqual(parseSAuthc1Header(valid))
  })
})
