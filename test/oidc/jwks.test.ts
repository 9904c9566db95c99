/**
 * The published keys over HTTP on both targets (reference §1.1, §1.3, §6.1, §6.2): `/jwks` and
 * `/jwks_rsaonly` per issuer, ID tokens verifying against what is served, and the
 * administrators' `/v1/tenants/{id}/signingKeys` resource with its rotations.
 */
import { beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { createLocalJWKSet, jwtVerify, type JWK } from 'jose'
import * as schema from '../../db/schema'
import { signIdToken } from '../../src/oidc/jwt'
import { createSealer } from '../../src/security/seal'
import { bootstrapAdmin, type Admin } from '../harness/admin'
import { describeTargets, TEST_BASE_URL, TEST_SECRET_KEY } from '../harness/targets'
import { idOf, restClient } from '../rest/rest-client'

/** Members that only a private (or symmetric) JWK has (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']

describeTargets('JWKS and signing keys over HTTP', (target) => {
  let admin: Admin
  let other: Admin
  let tenantId: string
  let otherTenantId: string
  const api = restClient(target, () => admin)
  /** The first tenant is the default issuer at `/openid`; the second is at `/t/{key}/openid`. */
  const DEFAULT = '/openid'
  const OTHER = '/t/jwks-other/openid'

  const fetchJwks = async (issuerPath: string, name = 'jwks') => {
    const response = await target.request(`${issuerPath}/${name}`)
    expect(response.status).toBe(200)
    return { response, jwks: (await response.json()) as { keys: JWK[] } }
  }
  const tenantIdOf = async (who: Admin) => {
    const reply = await target.request('/v1/tenants/current', {
      headers: { authorization: who.basic },
    })
    return idOf(reply.headers.get('location')!)
  }

  beforeAll(async () => {
    admin = await bootstrapAdmin(target.request, 'jwks-default')
    other = await bootstrapAdmin(target.request, 'jwks-other')
    tenantId = await tenantIdOf(admin)
    otherTenantId = await tenantIdOf(other)
  })

  describe('/jwks and /jwks_rsaonly', () => {
    test('a new tenant publishes one RSA and one Ed25519 signing key with distinct kids', async () => {
      const { jwks } = await fetchJwks(DEFAULT)

      expect(jwks.keys).toHaveLength(2)
      const [rsa, okp] = jwks.keys
      expect(rsa).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', e: 'AQAB' })
      expect(okp).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' })
      expect(rsa!.kid).toEqual(expect.any(String))
      expect(okp!.kid).toEqual(expect.any(String))
      expect(rsa!.kid).not.toBe(okp!.kid)
    })

    test('key disclosure: the JWKS carries no private key material', async () => {
      for (const name of ['jwks', 'jwks_rsaonly']) {
        const { jwks } = await fetchJwks(DEFAULT, name)
        for (const key of jwks.keys) {
          for (const member of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(member)
        }
      }
    })

    test('/jwks_rsaonly publishes only the RSA keys, for RPs that fail on OKP', async () => {
      const { jwks: all } = await fetchJwks(DEFAULT)
      const { jwks } = await fetchJwks(DEFAULT, 'jwks_rsaonly')

      expect(jwks.keys.length).toBeGreaterThan(0)
      expect(jwks.keys.every((key) => key.kty === 'RSA')).toBe(true)
      expect(jwks.keys).toEqual(all.keys.filter((key) => key.kty === 'RSA'))
    })

    test('is public: any origin, cacheable for five minutes, a JWK Set', async () => {
      for (const name of ['jwks', 'jwks_rsaonly']) {
        const { response } = await fetchJwks(DEFAULT, name)
        expect(response.headers.get('access-control-allow-origin')).toBe('*')
        expect(response.headers.get('cache-control')).toBe('public, max-age=300')
        expect(response.headers.get('content-type')).toStartWith('application/jwk-set+json')
      }
    })

    test('a second fetch returns the same keys', async () => {
      const first = await fetchJwks(DEFAULT)
      const second = await fetchJwks(DEFAULT)
      expect(second.jwks).toEqual(first.jwks)
    })

    test('each issuer publishes its own keys', async () => {
      const mine = (await fetchJwks(DEFAULT)).jwks.keys.map((key) => key.kid)
      const theirs = (await fetchJwks(OTHER)).jwks.keys.map((key) => key.kid)
      expect(theirs).toHaveLength(2)
      expect(theirs.filter((kid) => mine.includes(kid))).toEqual([])
    })

    test('other methods are answered with 405 and Allow', async () => {
      for (const method of ['POST', 'PUT', 'DELETE']) {
        const response = await target.request(`${DEFAULT}/jwks`, { method })
        expect(response.status).toBe(405)
        expect(response.headers.get('allow')).toBe('GET, HEAD')
      }
      expect((await target.request(`${DEFAULT}/jwks`, { method: 'HEAD' })).status).toBe(200)
    })

    test('an unknown issuer has no JWKS', async () => {
      expect((await target.request('/t/no-such-tenant/openid/jwks')).status).toBe(404)
    })

    test('the private JWK is stored sealed, never in clear', async () => {
      await fetchJwks(DEFAULT)
      const rows = await target.db
        .select()
        .from(schema.signingKeys)
        .where(eq(schema.signingKeys.tenantId, tenantId))
      expect(rows.length).toBeGreaterThanOrEqual(2)
      const sealer = createSealer(TEST_SECRET_KEY)
      for (const row of rows) {
        const { d } = JSON.parse(await sealer.open(row.privateJwkSealed, `signing-key:${row.kid}`))
        expect(d).toEqual(expect.any(String))
        expect(row.privateJwkSealed).not.toContain(d)
        expect(row.privateJwkSealed).toStartWith('v1.')
      }
    })
  })

  describe('ID tokens against the served JWKS', () => {
    const deps = () => ({
      db: target.db,
      sealer: createSealer(TEST_SECRET_KEY),
      now: () => new Date(),
    })
    const claims = () => {
      const iat = Math.floor(Date.now() / 1000)
      return { iss: `${TEST_BASE_URL}/openid`, sub: 'ada', aud: 'client-1', iat, exp: iat + 600 }
    }

    for (const alg of ['RS256', 'EdDSA'] as const) {
      test(`an ${alg} ID token verifies with jose against /jwks, with kid and typ`, async () => {
        const token = await signIdToken(deps(), tenantId, alg, claims())
        const jwks = createLocalJWKSet((await fetchJwks(DEFAULT)).jwks)

        const { payload, protectedHeader } = await jwtVerify(token, jwks, {
          issuer: `${TEST_BASE_URL}/openid`,
          audience: 'client-1',
          algorithms: [alg],
        })
        expect(payload.sub).toBe('ada')
        expect(protectedHeader.typ).toBe('JWT')
        expect(protectedHeader.kid).toEqual(expect.any(String))
      })
    }

    test('an RS256 ID token verifies against /jwks_rsaonly too', async () => {
      const token = await signIdToken(deps(), tenantId, 'RS256', claims())
      const jwks = createLocalJWKSet((await fetchJwks(DEFAULT, 'jwks_rsaonly')).jwks)
      expect((await jwtVerify(token, jwks)).payload.sub).toBe('ada')
    })
  })

  describe('/v1/tenants/{id}/signingKeys', () => {
    const path = () => `/v1/tenants/${tenantId}/signingKeys`
    const listKeys = async () => {
      const reply = await api('GET', path())
      expect(reply.status).toBe(200)
      return reply.body.items as Record<string, any>[]
    }

    test('an administrator lists the keys with their states, public halves only', async () => {
      await fetchJwks(DEFAULT) // creates the keys if no earlier test did
      const reply = await api('GET', path())

      expect(reply.status).toBe(200)
      expect(reply.body.href).toBe(`${TEST_BASE_URL}${path()}`)
      expect(reply.body.size).toBe(reply.body.items.length)
      for (const item of reply.body.items) {
        expect(Object.keys(item).sort()).toEqual(
          [
            'activatedAt',
            'alg',
            'createdAt',
            'deleteAfter',
            'kid',
            'publicJwk',
            'retiredAt',
            'state',
          ].sort(),
        )
        for (const member of PRIVATE_MEMBERS) expect(item.publicJwk).not.toHaveProperty(member)
        expect(JSON.stringify(item)).not.toContain('v1.') // no sealed value either
      }
      expect(reply.body.items.filter((item: any) => item.state === 'active')).toHaveLength(2)
    })

    test('a rotation publishes next keys; a forced one switches the signer at once', async () => {
      const before = await listKeys()
      const activeRsa = before.find((item) => item.state === 'active' && item.alg === 'RS256')!

      const planned = await api('POST', `${path()}/rotations`, {})
      expect(planned.status).toBe(200)
      const nextKeys = planned.body.items.filter((item: any) => item.state === 'next')
      expect(nextKeys.map((item: any) => item.alg).sort()).toEqual(['EdDSA', 'RS256'])
      const served = (await fetchJwks(DEFAULT)).jwks.keys.map((key) => key.kid)
      for (const item of nextKeys) expect(served).toContain(item.kid)

      const forced = await api('POST', `${path()}/rotations`, { force: true })
      expect(forced.status).toBe(200)
      const items = forced.body.items as Record<string, any>[]
      const nowActive = items.find((item) => item.state === 'active' && item.alg === 'RS256')!
      expect(nowActive.kid).not.toBe(activeRsa.kid)
      const old = items.find((item) => item.kid === activeRsa.kid)!
      expect(old.state).toBe('retired')
      expect(Date.parse(old.deleteAfter)).toBeGreaterThan(Date.now())
      // The isolate that rotated serves the new key at once; the old one stays published.
      const afterwards = (await fetchJwks(DEFAULT)).jwks.keys.map((key) => key.kid)
      expect(afterwards).toContain(nowActive.kid)
      expect(afterwards).toContain(activeRsa.kid)
    })

    test('tenant isolation: another tenant’s signing keys are not found, and not rotated', async () => {
      const theirs = async () =>
        target.db
          .select()
          .from(schema.signingKeys)
          .where(eq(schema.signingKeys.tenantId, otherTenantId))
      const before = await theirs()

      expect((await api('GET', `/v1/tenants/${otherTenantId}/signingKeys`)).status).toBe(404)
      const rotation = await api('POST', `/v1/tenants/${otherTenantId}/signingKeys/rotations`, {
        force: true,
      })
      expect(rotation.status).toBe(404)
      expect(await theirs()).toEqual(before)
    })

    test('hostile rotation bodies are refused and change nothing', async () => {
      const before = await listKeys()
      const send = (body: string, type = 'application/json') =>
        target.request(`${path()}/rotations`, {
          method: 'POST',
          headers: { authorization: admin.basic, 'content-type': type },
          body,
        })

      for (const body of [
        '{"force":',
        '{"force":"true"}',
        '{"force":1}',
        '[true]',
        'null',
        `${'{"a":'.repeat(100)}1${'}'.repeat(100)}`,
      ]) {
        expect((await send(body)).status).toBe(400)
      }
      expect((await send('force=true', 'application/x-www-form-urlencoded')).status).toBe(415)
      expect(await listKeys()).toEqual(before)
    })

    test('requires credentials, and only GET and POST are routes', async () => {
      expect((await target.request(path())).status).toBe(401)
      expect((await target.request(`${path()}/rotations`, { method: 'POST' })).status).toBe(401)
      expect((await api('DELETE', path())).status).toBe(405)
      expect((await api('GET', `${path()}/rotations`)).status).toBe(405)
    })
  })
})
