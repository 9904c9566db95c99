/**
 * Second factors in the domain: TOTP as RFC 6238 computes it, enrolment and confirmation, replay
 * refused, recovery codes single-use, seeds sealed.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { and, eq } from 'drizzle-orm'
import * as schema from '../../db/schema'
import type { Deps } from '../../src/deps'
import {
  activeFactors,
  checkSecondFactor,
  checkTotpFactor,
  enrolTotp,
  openTotpSecret,
  remainingRecoveryCodes,
  removeFactor,
  renewRecoveryCodes,
} from '../../src/mfa/factors'
import { normaliseRecoveryCode, RECOVERY_CODE_COUNT } from '../../src/mfa/recovery-codes'
import {
  matchTotp,
  newTotpSecret,
  totpCode,
  totpKeyUri,
  totpStep,
  TOTP_PERIOD_SECONDS,
} from '../../src/mfa/totp'
import { createSealer } from '../../src/security/seal'
import { TEST_SECRET_KEY } from '../harness/targets'
import { openTestDatabase, type TestDatabase } from '../oidc/test-database'

const TENANT = 'tenant-mfa'
let target: TestDatabase
let deps: Deps
let now = new Date('2026-06-01T12:00:00.000Z')
let serial = 0

beforeAll(async () => {
  target = await openTestDatabase()
  deps = { ...target.deps, now: () => now, sealer: createSealer(TEST_SECRET_KEY) }
})
afterAll(() => target.close())

const later = (seconds: number) => {
  now = new Date(now.getTime() + seconds * 1000)
}
const step = TOTP_PERIOD_SECONDS

/** An account with a confirmed TOTP factor; answers its id, factor and seed. */
async function enrolled() {
  const accountId = `account-${++serial}`
  const { factor, secret } = await enrolTotp(deps, {
    tenantId: TENANT,
    accountId,
    accountName: 'ada@example.com',
    issuer: 'Acme',
  })
  expect((await checkTotpFactor(deps, factor, totpCode(secret, now))).kind).toBe('accepted')
  later(step)
  return { accountId, factor, secret }
}

describe('TOTP', () => {
  test('matches RFC 6238 Appendix B (SHA-1, 6 digits of the 8 shown)', () => {
    // The RFC's seed is ASCII "12345678901234567890"; in base32:
    const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'
    expect(totpCode(secret, new Date(59_000))).toBe('287082')
    expect(totpCode(secret, new Date(1_111_111_109_000))).toBe('081804')
    expect(totpCode(secret, new Date(2_000_000_000_000))).toBe('279037')
  })

  test('accepts one step of drift either way, not two', () => {
    const secret = newTotpSecret()
    const at = new Date('2026-06-01T12:00:10.000Z')
    for (const drift of [-1, 0, 1]) {
      const code = totpCode(secret, new Date(at.getTime() + drift * step * 1000))
      expect(matchTotp(secret, code, at)).toBe(totpStep(at) + drift)
    }
    for (const drift of [-2, 2]) {
      const code = totpCode(secret, new Date(at.getTime() + drift * step * 1000))
      expect(matchTotp(secret, code, at)).toBeUndefined()
    }
  })

  test('malformed codes match nothing', () => {
    const secret = newTotpSecret()
    for (const code of ['', '12345', '1234567', 'abcdef', ' 123456', '12 456', '١٢٣٤٥٦']) {
      expect(matchTotp(secret, code, now)).toBeUndefined()
    }
  })

  test('the seed is 160 bits of base32 and the key URI is what authenticator apps scan', () => {
    const secret = newTotpSecret()
    expect(secret).toMatch(/^[A-Z2-7]{32}$/)
    const uri = new URL(totpKeyUri({ secret, issuer: 'Acme Corp', accountName: 'ada@example.com' }))
    expect(uri.protocol).toBe('otpauth:')
    expect(uri.host).toBe('totp')
    expect(decodeURIComponent(uri.pathname)).toBe('/Acme Corp:ada@example.com')
    expect(Object.fromEntries(uri.searchParams)).toMatchObject({
      secret,
      issuer: 'Acme Corp',
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    })
  })
})

describe('TOTP factors', () => {
  test('an enrolment counts only once a first code confirms it', async () => {
    const accountId = `account-${++serial}`
    const { factor, secret } = await enrolTotp(deps, {
      tenantId: TENANT,
      accountId,
      accountName: 'grace',
      issuer: 'Acme',
    })
    expect(factor.verificationStatus).toBe('UNVERIFIED')
    expect(await activeFactors(deps, TENANT, accountId)).toEqual([])
    const check = await checkTotpFactor(deps, factor, totpCode(secret, now))
    expect(check).toMatchObject({ kind: 'accepted', via: 'totp' })
    expect((await activeFactors(deps, TENANT, accountId)).map((f) => f.id)).toEqual([factor.id])
  })

  test('replay: a code is accepted once, and an older step after a newer one is refused', async () => {
    const { accountId, secret } = await enrolled()
    const code = totpCode(secret, now)
    expect((await checkSecondFactor(deps, TENANT, accountId, code)).kind).toBe('accepted')
    expect((await checkSecondFactor(deps, TENANT, accountId, code)).kind).toBe('replayed')
    const previous = totpCode(secret, new Date(now.getTime() - step * 1000))
    expect((await checkSecondFactor(deps, TENANT, accountId, previous)).kind).toBe('replayed')
    later(step)
    const next = totpCode(secret, now)
    expect((await checkSecondFactor(deps, TENANT, accountId, next)).kind).toBe('accepted')
  })

  test('replay race: two requests with the same code, one wins', async () => {
    const { accountId, secret } = await enrolled()
    const code = totpCode(secret, now)
    const checks = await Promise.all(
      Array.from({ length: 5 }, () => checkSecondFactor(deps, TENANT, accountId, code)),
    )
    expect(checks.filter((check) => check.kind === 'accepted')).toHaveLength(1)
  })

  test('a wrong code is refused and changes nothing', async () => {
    const { accountId, factor, secret } = await enrolled()
    const stepOf = async () =>
      (
        await target.db
          .select({ step: schema.mfaFactors.lastUsedStep })
          .from(schema.mfaFactors)
          .where(eq(schema.mfaFactors.id, factor.id))
          .get()
      )?.step
    const before = await stepOf()
    const wrong = totpCode(secret, now) === '000000' ? '111111' : '000000'
    expect((await checkSecondFactor(deps, TENANT, accountId, wrong)).kind).toBe('refused')
    expect(await stepOf()).toBe(before)
    expect((await checkSecondFactor(deps, TENANT, accountId, totpCode(secret, now))).kind).toBe(
      'accepted',
    )
  })

  test('tenant isolation: the same account id in another tenant has no factor', async () => {
    const { accountId, secret } = await enrolled()
    const check = await checkSecondFactor(deps, 'tenant-other', accountId, totpCode(secret, now))
    expect(check.kind).toBe('refused')
  })

  test('the seed is sealed at rest and opens only under its own factor', async () => {
    const { factor, secret } = await enrolled()
    expect(factor.secretSealed).not.toContain(secret)
    expect(await openTotpSecret(deps, factor)).toBe(secret)
    const other = await enrolled()
    await expect(
      openTotpSecret(deps, { ...other.factor, secretSealed: factor.secretSealed }),
    ).rejects.toThrow()
  })
})

describe('recovery codes', () => {
  test('ten codes of 80 bits, shown once, stored hashed', async () => {
    const { accountId } = await enrolled()
    const codes = await renewRecoveryCodes(deps, TENANT, accountId)
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT)
    expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT)
    for (const code of codes)
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/)
    const stored = await target.db
      .select()
      .from(schema.mfaRecoveryCodes)
      .where(eq(schema.mfaRecoveryCodes.accountId, accountId))
    expect(stored).toHaveLength(RECOVERY_CODE_COUNT)
    const dump = JSON.stringify(stored)
    for (const code of codes) expect(dump).not.toContain(normaliseRecoveryCode(code)!)
  })

  test('a code works once, typed in any case, with or without dashes', async () => {
    const { accountId } = await enrolled()
    const [first, second] = await renewRecoveryCodes(deps, TENANT, accountId)
    const typed = first!.toLowerCase().replace(/-/g, ' ')
    expect(await checkSecondFactor(deps, TENANT, accountId, typed)).toEqual({
      kind: 'accepted',
      via: 'recovery_code',
      remaining: RECOVERY_CODE_COUNT - 1,
    })
    expect((await checkSecondFactor(deps, TENANT, accountId, first!)).kind).toBe('refused')
    expect((await checkSecondFactor(deps, TENANT, accountId, second!)).kind).toBe('accepted')
  })

  test('renewing voids the previous codes', async () => {
    const { accountId } = await enrolled()
    const [old] = await renewRecoveryCodes(deps, TENANT, accountId)
    await renewRecoveryCodes(deps, TENANT, accountId)
    expect((await checkSecondFactor(deps, TENANT, accountId, old!)).kind).toBe('refused')
    expect(await remainingRecoveryCodes(deps, TENANT, accountId)).toBe(RECOVERY_CODE_COUNT)
  })

  test("another account's code is refused", async () => {
    const mine = await enrolled()
    const theirs = await enrolled()
    const [code] = await renewRecoveryCodes(deps, TENANT, theirs.accountId)
    expect((await checkSecondFactor(deps, TENANT, mine.accountId, code!)).kind).toBe('refused')
  })

  test('hostile input: oversized or non-code strings are refused without a lookup', async () => {
    const { accountId } = await enrolled()
    for (const input of ['', 'x'.repeat(10_000), 'AAAA-AAAA-AAAA-AAA!', '🙂'.repeat(16)]) {
      expect((await checkSecondFactor(deps, TENANT, accountId, input)).kind).toBe('refused')
    }
  })

  test("removing the last factor removes the account's recovery codes", async () => {
    const { accountId, factor } = await enrolled()
    await renewRecoveryCodes(deps, TENANT, accountId)
    await removeFactor(deps, factor)
    expect(await activeFactors(deps, TENANT, accountId)).toEqual([])
    const left = await target.db
      .select()
      .from(schema.mfaRecoveryCodes)
      .where(
        and(
          eq(schema.mfaRecoveryCodes.tenantId, TENANT),
          eq(schema.mfaRecoveryCodes.accountId, accountId),
        ),
      )
    expect(left).toEqual([])
  })
})
