/**
 * Signing keys as specified by reference §5.1 and §6.2: first-use creation (race-safe), sealing
 * at rest, one import per isolate, the next → active → retired → deleted rotation on an injected
 * clock, forced rotation, the `at_hash` values, and verifying our own ID tokens. The key code
 * runs against both targets' databases (libSQL and D1).
 */
import { describe, expect, test } from 'bun:test'
import { and, eq } from 'drizzle-orm'
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, SignJWT, type JWTPayload } from 'jose'
import * as schema from '../../db/schema'
import { createLogger } from '../../src/log'
import { atHash, signIdToken, verifyOwnIdToken } from '../../src/oidc/jwt'
import {
  activeSigningKey,
  DEFAULT_ROTATION_POLICY,
  ensureSigningKeys,
  KEY_CACHE_TTL_MS,
  publicJwks,
  rotateAllTenantsKeys,
  rotateSigningKeys,
  type KeyDeps,
  type SigningAlg,
} from '../../src/oidc/keys'
import { loadTenantKeys, promoteStatements } from '../../src/oidc/keys-store'
import { base64UrlEncode } from '../../src/security/encoding'
import { createSealer, type Sealer } from '../../src/security/seal'
import { runBatch, type Database } from '../../src/store/db'
import { bootstrapAdmin } from '../harness/admin'
import { describeTargets, TEST_SECRET_KEY } from '../harness/targets'

const DAY = 24 * 3600_000
const ISSUER = 'http://edgepass.test/openid'
const START = new Date('2030-01-01T00:00:00.000Z')

/** Key deps over `db` with a clock the test moves; `sealer` can be wrapped to count calls. */
function keyDeps(db: Database, clock = { now: new Date() }, sealer?: Sealer) {
  return {
    db,
    sealer: sealer ?? createSealer(TEST_SECRET_KEY),
    now: () => clock.now,
    log: createLogger('silent', () => {}),
  } satisfies KeyDeps & { log: unknown }
}

/**
 * Another handle on the same database: the key cache is per handle, so this behaves as a second
 * isolate (or Bun process) would.
 */
const anotherIsolate = (db: Database): Database => Object.create(db) as Database

let serial = 0
const newTenantId = () => `tenant-keys-${Date.now().toString(36)}-${++serial}`

function claimsAt(now: Date, extra: JWTPayload = {}): JWTPayload {
  const iat = Math.floor(now.getTime() / 1000)
  return { iss: ISSUER, sub: 'ada', aud: 'client-1', iat, exp: iat + 3600, ...extra }
}

/** Left half of SHA-2, base64url: the spec's definition, computed without the code under test. */
async function leftHalfHash(hash: 'SHA-256' | 'SHA-512', value: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest(hash, new TextEncoder().encode(value)))
  return base64UrlEncode(digest.slice(0, digest.length / 2))
}

describe('at_hash and c_hash (reference §5.1)', () => {
  test('RS256 uses the left half of SHA-256: 22 characters', async () => {
    const token = 'jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y'
    expect(await atHash(token, 'RS256')).toBe(await leftHalfHash('SHA-256', token))
    expect(await atHash(token, 'RS256')).toHaveLength(22)
  })

  test('matches the OIDC Core Appendix A examples (at_hash and c_hash, RS256)', async () => {
    expect(await atHash('jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y', 'RS256')).toBe(
      '77QmUPtjPfzWtF2AnpK9RQ',
    )
    expect(
      await atHash('Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk', 'RS256'),
    ).toBe('LDktKdoQak3Pk0cnXxCltA')
  })

  test('EdDSA uses the left half of SHA-512, not SHA-256: 43 characters', async () => {
    const token = 'an-opaque-access-token-of-32-random-bytes-b64url'
    const value = await atHash(token, 'EdDSA')
    expect(value).toBe(await leftHalfHash('SHA-512', token))
    expect(value).toHaveLength(43)
    expect(value.startsWith(await leftHalfHash('SHA-256', token))).toBe(false)
  })
})

describeTargets('signing keys', (target) => {
  test('a tenant gets one active RS256 and one active EdDSA key on first use', async () => {
    const deps = keyDeps(target.db)
    const tenantId = newTenantId()
    const rs = await activeSigningKey(deps, tenantId, 'RS256')
    const ed = await activeSigningKey(deps, tenantId, 'EdDSA')

    const rows = await target.db
      .select()
      .from(schema.signingKeys)
      .where(eq(schema.signingKeys.tenantId, tenantId))
    expect(rows.map((row) => [row.alg, row.state]).sort()).toEqual([
      ['EdDSA', 'active'],
      ['RS256', 'active'],
    ])
    expect(rs.kid).not.toBe(ed.kid)
    expect(rs.key.algorithm.name).toBe('RSASSA-PKCS1-v1_5')
    expect(ed.key.algorithm.name).toBe('Ed25519')
    expect(rs.key.extractable).toBe(false)
  })

  test('concurrent first uses on five isolates leave exactly one active key per alg', async () => {
    const tenantId = newTenantId()
    const isolates = Array.from({ length: 5 }, () => keyDeps(anotherIsolate(target.db)))

    await Promise.all(isolates.map((deps) => ensureSigningKeys(deps, tenantId)))

    const rows = await target.db
      .select()
      .from(schema.signingKeys)
      .where(eq(schema.signingKeys.tenantId, tenantId))
    // The losers' keys were never stored, so never published and never used.
    expect(rows.map((row) => `${row.alg}:${row.state}`).sort()).toEqual([
      'EdDSA:active',
      'RS256:active',
    ])
    const signers = await Promise.all(
      isolates.map((deps) => activeSigningKey(deps, tenantId, 'RS256')),
    )
    expect(new Set(signers.map((signer) => signer.kid)).size).toBe(1)
  })

  test('the private key is sealed at rest and opens only under its own kid', async () => {
    const deps = keyDeps(target.db)
    const tenantId = newTenantId()
    await ensureSigningKeys(deps, tenantId)
    const rows = await target.db
      .select()
      .from(schema.signingKeys)
      .where(eq(schema.signingKeys.tenantId, tenantId))
    const sealer = createSealer(TEST_SECRET_KEY)
    const [first, second] = rows as [(typeof rows)[0], (typeof rows)[0]]
    for (const row of rows) {
      const privateJwk = JSON.parse(
        await sealer.open(row.privateJwkSealed, `signing-key:${row.kid}`),
      )
      expect(privateJwk.d).toEqual(expect.any(String))
      expect(row.privateJwkSealed).not.toContain(privateJwk.d)
      expect(row.publicJwk).not.toContain(privateJwk.d)
      expect(JSON.parse(row.publicJwk).d).toBeUndefined()
    }
    // A sealed key copied into another row does not open there.
    await expect(sealer.open(first.privateJwkSealed, `signing-key:${second.kid}`)).rejects.toThrow()
  })

  test('private keys are unsealed and imported once per isolate, not per token', async () => {
    const real = createSealer(TEST_SECRET_KEY)
    let opened = 0
    const counting: Sealer = {
      seal: real.seal,
      open: (sealed, context) => (opened++, real.open(sealed, context)),
    }
    const deps = keyDeps(anotherIsolate(target.db), undefined, counting)
    const tenantId = newTenantId()
    await ensureSigningKeys(keyDeps(target.db), tenantId)

    for (let i = 0; i < 5; i++) await signIdToken(deps, tenantId, 'RS256', claimsAt(new Date()))
    expect(opened).toBe(1)
  })

  test('rotation: next is published first, signs after the rotation period, retires, is deleted', async () => {
    const clock = { now: START }
    const deps = keyDeps(anotherIsolate(target.db), clock)
    const tenantId = newTenantId()
    const kidsOf = async () =>
      Object.fromEntries(
        (await publicJwks(deps, tenantId)).keys.map((key) => [key.kid!, key.alg]),
      ) as Record<string, string>
    const stateOf = async (kid: string) =>
      (
        await target.db
          .select()
          .from(schema.signingKeys)
          .where(eq(schema.signingKeys.kid, kid))
          .get()
      )?.state

    await ensureSigningKeys(deps, tenantId)
    const first = await activeSigningKey(deps, tenantId, 'RS256')
    const oldToken = await signIdToken(deps, tenantId, 'RS256', claimsAt(clock.now))

    const created = await rotateSigningKeys(deps, tenantId)
    expect(created).toEqual([
      { kind: 'create', alg: 'RS256', state: 'next' },
      { kind: 'create', alg: 'EdDSA', state: 'next' },
    ])
    const [next] = await target.db
      .select()
      .from(schema.signingKeys)
      .where(
        and(
          eq(schema.signingKeys.tenantId, tenantId),
          eq(schema.signingKeys.alg, 'RS256'),
          eq(schema.signingKeys.state, 'next'),
        ),
      )
    expect(Object.keys(await kidsOf())).toContain(next!.kid) // published …
    expect((await activeSigningKey(deps, tenantId, 'RS256')).kid).toBe(first.kid) // … not signing

    // Published long enough, but the active key has not served its period: nothing to do.
    clock.now = new Date(START.getTime() + 2 * DAY)
    expect(await rotateSigningKeys(deps, tenantId)).toEqual([])

    clock.now = new Date(START.getTime() + DEFAULT_ROTATION_POLICY.rotationPeriodMs)
    const promoted = await rotateSigningKeys(deps, tenantId)
    expect(promoted).toContainEqual({ kind: 'promote', alg: 'RS256', kid: next!.kid })
    expect(promoted).toContainEqual({ kind: 'create', alg: 'RS256', state: 'next' })
    expect((await activeSigningKey(deps, tenantId, 'RS256')).kid).toBe(next!.kid)
    expect(await stateOf(first.kid)).toBe('retired')
    // Retired keys stay published: tokens they signed still verify.
    const jwks = createLocalJWKSet(await publicJwks(deps, tenantId))
    expect((await jwtVerify(oldToken, jwks, { currentDate: START })).payload.sub).toBe('ada')
    const retired = await target.db
      .select()
      .from(schema.signingKeys)
      .where(eq(schema.signingKeys.kid, first.kid))
      .get()
    expect(retired!.deleteAfter!.getTime()).toBe(
      clock.now.getTime() + DEFAULT_ROTATION_POLICY.retentionMs + KEY_CACHE_TTL_MS,
    )

    clock.now = new Date(retired!.deleteAfter!.getTime() - 1)
    expect(await rotateSigningKeys(deps, tenantId)).toEqual([])
    clock.now = retired!.deleteAfter!
    expect(await rotateSigningKeys(deps, tenantId)).toContainEqual({
      kind: 'delete',
      kid: first.kid,
    })
    expect(await stateOf(first.kid)).toBeUndefined()
    expect(Object.keys(await kidsOf())).not.toContain(first.kid)
    expect(await verifyOwnIdToken(deps, tenantId, ISSUER, oldToken, { ignoreExpiry: true })).toBe(
      undefined,
    )
  })

  test('a next key is never promoted before it has been published for the publication delay', async () => {
    const clock = { now: START }
    const deps = keyDeps(anotherIsolate(target.db), clock)
    const tenantId = newTenantId()
    await ensureSigningKeys(deps, tenantId)
    const first = await activeSigningKey(deps, tenantId, 'EdDSA')
    await rotateSigningKeys(deps, tenantId) // publishes `next`
    const asSoonAsSafe = { rotationPeriodMs: 0 }

    clock.now = new Date(START.getTime() + DEFAULT_ROTATION_POLICY.publicationDelayMs - 1)
    expect(await rotateSigningKeys(deps, tenantId, asSoonAsSafe)).toEqual([])
    expect((await activeSigningKey(deps, tenantId, 'EdDSA')).kid).toBe(first.kid)

    clock.now = new Date(START.getTime() + DEFAULT_ROTATION_POLICY.publicationDelayMs)
    const steps = await rotateSigningKeys(deps, tenantId, asSoonAsSafe)
    expect(steps.filter((step) => step.kind === 'promote')).toHaveLength(2)
    expect((await activeSigningKey(deps, tenantId, 'EdDSA')).kid).not.toBe(first.kid)
  })

  test('publication delays shorter than the JWKS cache lifetime are refused', async () => {
    const deps = keyDeps(target.db)
    await expect(
      rotateSigningKeys(deps, newTenantId(), { publicationDelayMs: 60_000 }),
    ).rejects.toThrow(RangeError)
  })

  test('a forced rotation switches the signer at once and keeps the old key published', async () => {
    const deps = keyDeps(anotherIsolate(target.db))
    const tenantId = newTenantId()
    const before = await activeSigningKey(deps, tenantId, 'RS256')
    const oldToken = await signIdToken(deps, tenantId, 'RS256', claimsAt(new Date()))

    await rotateSigningKeys(deps, tenantId, { force: true })

    const after = await activeSigningKey(deps, tenantId, 'RS256')
    expect(after.kid).not.toBe(before.kid)
    const newToken = await signIdToken(deps, tenantId, 'RS256', claimsAt(new Date()))
    expect(decodeProtectedHeader(newToken).kid).toBe(after.kid)
    const jwks = createLocalJWKSet(await publicJwks(deps, tenantId))
    for (const token of [oldToken, newToken]) {
      expect((await jwtVerify(token, jwks)).payload.sub).toBe('ada')
    }
    const active = await target.db
      .select()
      .from(schema.signingKeys)
      .where(and(eq(schema.signingKeys.tenantId, tenantId), eq(schema.signingKeys.state, 'active')))
    expect(active.map((row) => row.alg).sort()).toEqual(['EdDSA', 'RS256'])
  })

  test('a stale promotion racing a forced rotation never leaves zero or two active keys', async () => {
    const clock = { now: START }
    const deps = keyDeps(anotherIsolate(target.db), clock)
    const tenantId = newTenantId()
    await ensureSigningKeys(deps, tenantId)
    await rotateSigningKeys(deps, tenantId) // publishes `next`
    const next = (await loadTenantKeys(target.db, tenantId)).find(
      (key) => key.alg === 'RS256' && key.state === 'next',
    )!
    clock.now = new Date(START.getTime() + DAY)
    await rotateSigningKeys(deps, tenantId, { rotationPeriodMs: 0 }) // `next` signs
    await rotateSigningKeys(deps, tenantId, { force: true }) // … and is replaced at once

    // A second rotation that read the keys before all this now applies its promotion.
    await runBatch(target.db, promoteStatements(target.db, next, clock.now, DAY))

    const active = (await loadTenantKeys(target.db, tenantId)).filter(
      (key) => key.alg === 'RS256' && key.state === 'active',
    )
    expect(active).toHaveLength(1)
    expect(active[0]!.kid).not.toBe(next.kid)
  })

  test('the scheduled job gives every tenant active and next keys, then has nothing to do', async () => {
    const admin = await bootstrapAdmin(target.request, `keys-cron-${target.name}`)
    const tenant = await target.db
      .select()
      .from(schema.tenants)
      .where(eq(schema.tenants.nameKey, admin.tenantKey))
      .get()
    const deps = keyDeps(target.db)

    const first = await rotateAllTenantsKeys(deps)
    expect(first.failed).toBe(0)
    expect(first.rotated).toBeGreaterThanOrEqual(1)
    const rows = await target.db
      .select()
      .from(schema.signingKeys)
      .where(eq(schema.signingKeys.tenantId, tenant!.id))
    expect(rows.map((row) => `${row.alg}:${row.state}`).sort()).toEqual([
      'EdDSA:active',
      'EdDSA:next',
      'RS256:active',
      'RS256:next',
    ])
    expect(await rotateAllTenantsKeys(deps)).toEqual({
      tenants: first.tenants,
      rotated: 0,
      failed: 0,
    })
  })

  describe('ID tokens', () => {
    for (const alg of ['RS256', 'EdDSA'] as SigningAlg[]) {
      test(`an ${alg} ID token carries kid and typ and verifies against the tenant's JWKS`, async () => {
        const deps = keyDeps(target.db)
        const tenantId = newTenantId()
        const token = await signIdToken(deps, tenantId, alg, claimsAt(new Date()))

        const header = decodeProtectedHeader(token)
        expect(header).toEqual({
          alg,
          kid: (await activeSigningKey(deps, tenantId, alg)).kid,
          typ: 'JWT',
        })
        const jwks = createLocalJWKSet(await publicJwks(deps, tenantId))
        const { payload } = await jwtVerify(token, jwks, { issuer: ISSUER, audience: 'client-1' })
        expect(payload.sub).toBe('ada')
        expect(await verifyOwnIdToken(deps, tenantId, ISSUER, token)).toMatchObject({ sub: 'ada' })
      })
    }

    test('an expired ID token is a usable hint only with ignoreExpiry', async () => {
      const clock = { now: new Date() }
      const deps = keyDeps(target.db, clock)
      const tenantId = newTenantId()
      const token = await signIdToken(deps, tenantId, 'RS256', claimsAt(clock.now))
      clock.now = new Date(clock.now.getTime() + 2 * 3600_000)

      expect(await verifyOwnIdToken(deps, tenantId, ISSUER, token)).toBeUndefined()
      expect(
        await verifyOwnIdToken(deps, tenantId, ISSUER, token, { ignoreExpiry: true }),
      ).toMatchObject({ sub: 'ada' })
    })

    test('token substitution: another tenant’s or issuer’s ID token is not ours', async () => {
      const deps = keyDeps(target.db)
      const tenantId = newTenantId()
      const token = await signIdToken(deps, tenantId, 'EdDSA', claimsAt(new Date()))

      expect(await verifyOwnIdToken(deps, newTenantId(), ISSUER, token)).toBeUndefined()
      expect(
        await verifyOwnIdToken(deps, tenantId, 'http://edgepass.test/t/other/openid', token),
      ).toBeUndefined()
    })

    test('algorithm confusion: an HS256 token keyed with the public RSA key is refused', async () => {
      const deps = keyDeps(target.db)
      const tenantId = newTenantId()
      const { kid } = await activeSigningKey(deps, tenantId, 'RS256')
      const jwk = (await publicJwks(deps, tenantId)).keys.find((key) => key.kid === kid)!
      const forged = await new SignJWT(claimsAt(new Date()))
        .setProtectedHeader({ alg: 'HS256', kid, typ: 'JWT' })
        .sign(new TextEncoder().encode(JSON.stringify(jwk)))

      expect(await verifyOwnIdToken(deps, tenantId, ISSUER, forged)).toBeUndefined()
    })

    test('token confusion: a JWT access token (typ at+jwt) signed by the same key is no ID token', async () => {
      const deps = keyDeps(target.db)
      const tenantId = newTenantId()
      const { kid, key } = await activeSigningKey(deps, tenantId, 'EdDSA')
      const accessToken = await new SignJWT(claimsAt(new Date()))
        .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt' })
        .sign(key)

      expect(await verifyOwnIdToken(deps, tenantId, ISSUER, accessToken)).toBeUndefined()
    })

    test('garbage and unknown kids are refused without throwing', async () => {
      const deps = keyDeps(target.db)
      const tenantId = newTenantId()
      await ensureSigningKeys(deps, tenantId)
      const unknownKid = await new SignJWT(claimsAt(new Date()))
        .setProtectedHeader({ alg: 'HS256', kid: 'x'.repeat(43) })
        .sign(new Uint8Array(32))

      for (const token of ['', 'not.a.jwt', 'a.b', unknownKid]) {
        expect(await verifyOwnIdToken(deps, tenantId, ISSUER, token)).toBeUndefined()
      }
    })
  })
})
