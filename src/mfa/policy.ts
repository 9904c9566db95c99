/**
 * The tenant's 2FA policy (Cloudron's "Mandatory 2FA", reference §1.7): switching it on signs
 * out, at once, every account of the tenant that has no second factor (an active TOTP factor or a passkey) — its SSO sessions
 * with every code and token issued in them, and its management (`/login`) sessions. Such an
 * account enrols at its next sign-in (the `mfa_setup` step) before it gets a session again.
 */
import { and, eq, inArray, notInArray } from 'drizzle-orm'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import { runBatch } from '../store/db'

/**
 * Ends every session of the tenant's accounts without an active (ENABLED, VERIFIED) factor, in
 * one batch of set-based statements (no id list, so no bound-parameter limit).
 *
 * @example
 * if (turnedOn) await endSessionsWithoutSecondFactor(deps, tenant.id)
 */
export async function endSessionsWithoutSecondFactor(
  deps: Pick<Deps, 'db'>,
  tenantId: string,
): Promise<void> {
  const { db } = deps
  const { mfaFactors: f, passkeys: p, oidcSessions: s, oidcTokens: t, apiSessions: a } = schema
  const protectedAccounts = db
    .select({ id: f.accountId })
    .from(f)
    .where(
      and(eq(f.tenantId, tenantId), eq(f.status, 'ENABLED'), eq(f.verificationStatus, 'VERIFIED')),
    )
    .union(db.select({ id: p.accountId }).from(p).where(eq(p.tenantId, tenantId)))
  const exposedSessions = db
    .select({ id: s.id })
    .from(s)
    .where(and(eq(s.tenantId, tenantId), notInArray(s.accountId, protectedAccounts)))
  await runBatch(db, [
    db.delete(t).where(and(eq(t.tenantId, tenantId), inArray(t.sessionId, exposedSessions))),
    db.delete(s).where(and(eq(s.tenantId, tenantId), notInArray(s.accountId, protectedAccounts))),
    db.delete(a).where(and(eq(a.tenantId, tenantId), notInArray(a.accountId, protectedAccounts))),
  ])
}
