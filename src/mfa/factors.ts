/**
 * An account's second factors (TOTP for now; passkeys join them) and its recovery codes: enrol,
 * confirm with a first code, verify at sign-in, remove. The TOTP seed is sealed with the master
 * key under the factor's id; a verified code's step is stored with a conditional update, so the
 * same code (or an older one) is refused afterwards, even by a request racing this one.
 */
import { and, asc, eq, isNull, lt, or, type SQL } from 'drizzle-orm'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import { enforceRateLimits, MFA_PER_ACCOUNT } from '../security/rate-limit'
import { runBatch } from '../store/db'
import type { MfaFactorRow } from '../store/rows'
import { hashRecoveryCode, newRecoveryCodes, normaliseRecoveryCode } from './recovery-codes'
import { matchTotp, newTotpSecret, totpKeyUri } from './totp'

type FactorDeps = Pick<Deps, 'db' | 'now' | 'newId' | 'sealer'>

/** What checking a second-factor code came to. */
export type CodeCheck =
  | { kind: 'accepted'; via: 'totp'; factor: MfaFactorRow }
  | { kind: 'accepted'; via: 'recovery_code'; remaining: number }
  /** Right code, already used (replay), or older than the last one used. */
  | { kind: 'replayed' }
  | { kind: 'refused' }

const sealContext = (factorId: string) => `mfa-factor:${factorId}`

/**
 * Creates an UNVERIFIED TOTP factor; it counts for sign-in once a first code confirms it.
 * Answers the seed and key URI, shown once to the user.
 *
 * @example
 * const { factor, secret, keyUri } = await enrolTotp(deps, { tenantId, accountId, accountName: 'ada', issuer: 'Acme' })
 */
export async function enrolTotp(
  deps: FactorDeps,
  input: { tenantId: string; accountId: string; accountName: string; issuer: string },
): Promise<{ factor: MfaFactorRow; secret: string; keyUri: string }> {
  const id = deps.newId()
  const secret = newTotpSecret()
  const now = deps.now()
  const factor: MfaFactorRow = {
    id,
    tenantId: input.tenantId,
    accountId: input.accountId,
    type: 'google-authenticator',
    accountName: input.accountName,
    issuer: input.issuer,
    secretSealed: await deps.sealer.seal(secret, sealContext(id)),
    status: 'ENABLED',
    verificationStatus: 'UNVERIFIED',
    lastUsedStep: null,
    createdAt: now,
    modifiedAt: now,
  }
  await deps.db.insert(schema.mfaFactors).values(factor)
  return { factor, secret, keyUri: totpKeyUri({ secret, ...input }) }
}

/**
 * The account's enrolment left unfinished (an earlier sign-in, the account page, an
 * administrator), or a new one: retried set-ups do not pile up unverified factors.
 *
 * @example
 * const factor = await resumeOrEnrolTotp(deps, tenant, account)
 */
export async function resumeOrEnrolTotp(
  deps: Pick<Deps, 'db' | 'now' | 'newId' | 'sealer'>,
  tenant: { id: string; name: string },
  account: { id: string; username: string },
): Promise<MfaFactorRow> {
  const unfinished = await unverifiedFactor(deps, tenant.id, account.id)
  if (unfinished) return unfinished
  const { factor } = await enrolTotp(deps, {
    tenantId: tenant.id,
    accountId: account.id,
    accountName: account.username,
    issuer: tenant.name,
  })
  return factor
}

/** The seed of a factor, for its key URI (REST) or to check a code. */
export function openTotpSecret(deps: Pick<Deps, 'sealer'>, factor: MfaFactorRow): Promise<string> {
  return deps.sealer.open(factor.secretSealed, sealContext(factor.id))
}

/**
 * Checks `code` against one TOTP factor and, when it matches a step not used before, records
 * that step (and VERIFIED on the first success) in one conditional update.
 *
 * @example
 * const check = await checkTotpFactor(deps, factor, '492039')
 */
export async function checkTotpFactor(
  deps: FactorDeps,
  factor: MfaFactorRow,
  code: string,
): Promise<CodeCheck> {
  const step = matchTotp(await openTotpSecret(deps, factor), code, deps.now())
  if (step === undefined) return { kind: 'refused' }
  const { mfaFactors: f } = schema
  const [updated] = await deps.db
    .update(f)
    .set({ lastUsedStep: step, verificationStatus: 'VERIFIED', modifiedAt: deps.now() })
    .where(and(eq(f.id, factor.id), or(isNull(f.lastUsedStep), lt(f.lastUsedStep, step))))
    .returning()
  return updated ? { kind: 'accepted', via: 'totp', factor: updated } : { kind: 'replayed' }
}

/** The account's factors that count at sign-in: ENABLED and VERIFIED, oldest first. */
export function activeFactors(
  deps: Pick<Deps, 'db'>,
  tenantId: string,
  accountId: string,
): Promise<MfaFactorRow[]> {
  const { mfaFactors: f } = schema
  return factorsOf(
    deps,
    tenantId,
    accountId,
    and(eq(f.status, 'ENABLED'), eq(f.verificationStatus, 'VERIFIED'))!,
  )
}

/** The account's most recent enrolment not yet confirmed by a first code, if any. */
export async function unverifiedFactor(
  deps: Pick<Deps, 'db'>,
  tenantId: string,
  accountId: string,
): Promise<MfaFactorRow | undefined> {
  const { mfaFactors: f } = schema
  const pending = await factorsOf(deps, tenantId, accountId, eq(f.verificationStatus, 'UNVERIFIED'))
  return pending.at(-1)
}

function factorsOf(deps: Pick<Deps, 'db'>, tenantId: string, accountId: string, condition: SQL) {
  const { mfaFactors: f } = schema
  return deps.db
    .select()
    .from(f)
    .where(and(eq(f.tenantId, tenantId), eq(f.accountId, accountId), condition))
    .orderBy(asc(f.createdAt), asc(f.id))
    .all()
}

/**
 * Counts a second-factor attempt against the account's limit (429 past it): every face that
 * checks codes or passkeys for an account shares the one counter.
 *
 * @example
 * await limitSecondFactorAttempts(deps, tenant.id, account.id)
 */
export function limitSecondFactorAttempts(
  deps: Pick<Deps, 'db' | 'now'>,
  tenantId: string,
  accountId: string,
): Promise<void> {
  return enforceRateLimits(deps, [[`mfa:${tenantId}:${accountId}`, MFA_PER_ACCOUNT]])
}

/**
 * The second step of a sign-in: a TOTP code of any active factor, or an unused recovery code
 * (spent by this call).
 *
 * @example
 * const check = await checkSecondFactor(deps, tenant.id, account.id, form.code)
 * if (check.kind !== 'accepted') return refuse()
 */
export async function checkSecondFactor(
  deps: FactorDeps,
  tenantId: string,
  accountId: string,
  code: string,
): Promise<CodeCheck> {
  const trimmed = code.trim()
  if (/^\d{6}$/.test(trimmed)) {
    let replayed = false
    for (const factor of await activeFactors(deps, tenantId, accountId)) {
      const check = await checkTotpFactor(deps, factor, trimmed)
      if (check.kind === 'accepted') return check
      replayed ||= check.kind === 'replayed'
    }
    return { kind: replayed ? 'replayed' : 'refused' }
  }
  return spendRecoveryCode(deps, tenantId, accountId, trimmed)
}

/**
 * New recovery codes for the account, replacing any it had. Shown once: only hashes are kept.
 *
 * @example
 * const codes = await renewRecoveryCodes(deps, tenant.id, account.id) // 10 codes
 */
export async function renewRecoveryCodes(
  deps: Pick<Deps, 'db' | 'now'>,
  tenantId: string,
  accountId: string,
): Promise<string[]> {
  const codes = newRecoveryCodes()
  const createdAt = deps.now()
  const rows = await Promise.all(
    codes.map(async (code) => ({
      codeHash: await hashRecoveryCode(normaliseRecoveryCode(code)!),
      tenantId,
      accountId,
      createdAt,
      usedAt: null,
    })),
  )
  const { mfaRecoveryCodes: r } = schema
  await runBatch(deps.db, [
    deps.db.delete(r).where(and(eq(r.tenantId, tenantId), eq(r.accountId, accountId))),
    deps.db.insert(r).values(rows),
  ])
  return codes
}

/** How many unused recovery codes the account has. */
export async function remainingRecoveryCodes(
  deps: Pick<Deps, 'db'>,
  tenantId: string,
  accountId: string,
): Promise<number> {
  const { mfaRecoveryCodes: r } = schema
  const rows = await deps.db
    .select({ hash: r.codeHash })
    .from(r)
    .where(and(eq(r.tenantId, tenantId), eq(r.accountId, accountId), isNull(r.usedAt)))
    .all()
  return rows.length
}

async function spendRecoveryCode(
  deps: Pick<Deps, 'db' | 'now'>,
  tenantId: string,
  accountId: string,
  input: string,
): Promise<CodeCheck> {
  const canonical = normaliseRecoveryCode(input)
  if (!canonical) return { kind: 'refused' }
  const { mfaRecoveryCodes: r } = schema
  const [spent] = await deps.db
    .update(r)
    .set({ usedAt: deps.now() })
    .where(
      and(
        eq(r.codeHash, await hashRecoveryCode(canonical)),
        eq(r.tenantId, tenantId),
        eq(r.accountId, accountId),
        isNull(r.usedAt),
      ),
    )
    .returning({ hash: r.codeHash })
  if (!spent) return { kind: 'refused' }
  return {
    kind: 'accepted',
    via: 'recovery_code',
    remaining: await remainingRecoveryCodes(deps, tenantId, accountId),
  }
}

/**
 * Removes one factor; when it was the account's last active one, its recovery codes go too
 * (they belong to having 2FA).
 */
export async function removeFactor(deps: Pick<Deps, 'db'>, factor: MfaFactorRow): Promise<void> {
  const { mfaFactors: f, mfaChallenges: c, mfaRecoveryCodes: r } = schema
  const others = (await activeFactors(deps, factor.tenantId, factor.accountId)).filter(
    (other) => other.id !== factor.id,
  )
  await runBatch(deps.db, [
    deps.db.delete(c).where(eq(c.factorId, factor.id)),
    deps.db.delete(f).where(eq(f.id, factor.id)),
    ...(others.length === 0
      ? [
          deps.db
            .delete(r)
            .where(and(eq(r.tenantId, factor.tenantId), eq(r.accountId, factor.accountId))),
        ]
      : []),
  ])
}
