import { describe, expect, test } from 'bun:test'
import {
  isAuthenticTokenId,
  MAX_TOKEN_ID_LENGTH,
  parseTokenId,
  refreshIdOf,
  sealTokenId,
  type TokenId,
} from '../../src/stormpath-oauth/token-ids'

const SECRET = 'kJ3x0n8QWm1z2Y7tV5rL9pB4cD6fH0gA1sE3uI5oK7q'
const refresh = { issuedAt: 1_700_000_000, ttlSeconds: 5_184_000, nonce: 'r1Nonce0000000000000000' }
const access: TokenId = {
  kind: 'access',
  apiKeyId: 'ABCDEFGHIJKLMNOPQRSTUVWXY',
  applicationId: '3Kq9ZbN0xYtQpR7sLmW2aB',
  accountId: '7Hh2ZbN0xYtQpR7sLmW2aC',
  issuedAt: 1_700_000_100,
  ttlSeconds: 3600,
  nonce: 'a1Nonce0000000000000000',
  refresh,
}

describe('Stormpath OAuth token ids', () => {
  test('round-trip: what an id is sealed with is what it parses to', async () => {
    const id = await sealTokenId(access, SECRET)
    expect(id).toMatch(/^[A-Za-z0-9._-]+$/)
    expect(id.length).toBeLessThanOrEqual(MAX_TOKEN_ID_LENGTH)
    expect(parseTokenId(id)).toEqual(access)
    expect(await isAuthenticTokenId(id, SECRET)).toBe(true)
    const refreshId = await sealTokenId(refreshIdOf(access)!, SECRET)
    expect(parseTokenId(refreshId)).toEqual({ ...refreshIdOf(access)!, kind: 'refresh' })
  })

  test('sealing is deterministic, so a token can be rebuilt from its id', async () => {
    expect(await sealTokenId(access, SECRET)).toBe(await sealTokenId(access, SECRET))
  })

  test('forgery: a changed field, another secret or a changed MAC fails the MAC', async () => {
    const id = await sealTokenId(access, SECRET)
    const otherAccount = id.replace(access.accountId, 'someoneElse00000000000A')
    expect(parseTokenId(otherAccount)?.accountId).toBe('someoneElse00000000000A')
    expect(await isAuthenticTokenId(otherAccount, SECRET)).toBe(false)
    expect(await isAuthenticTokenId(id, `${SECRET}x`)).toBe(false)
    const flipped = id.slice(0, -1) + (id.endsWith('A') ? 'B' : 'A')
    expect(await isAuthenticTokenId(flipped, SECRET)).toBe(false)
  })

  test('malformed ids parse to nothing', () => {
    for (const text of [
      '',
      'x',
      'a.b.c.d.e.f.g.h',
      'z.K.A.U.1.2.n.AAAAAAAAAAAAAAAAAAAAAA',
      'r.K.A.U.1.2.n.1.2.m.AAAAAAAAAAAAAAAAAAAAAA',
      'a.K.A.U.1.2.n/x.AAAAAAAAAAAAAAAAAAAAAA',
      `a.${'K'.repeat(500)}.A.U.1.2.n.AAAAAAAAAAAAAAAAAAAAAA`,
    ])
      expect(parseTokenId(text)).toBeUndefined()
    expect(parseTokenId('r.K.A.U.1.2.n.AAAAAAAAAAAAAAAAAAAAAA')).toMatchObject({ kind: 'refresh' })
  })
})
