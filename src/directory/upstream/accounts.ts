/**
 * Signing in through an upstream provider: the upstream identity's account in the directory,
 * found by the upstream's subject, linked to an existing account of the directory only when both
 * sides have verified the email, or registered (`autoRegister`). Mandatory groups are checked
 * before anything is written; groups named by the groups claim are kept in the directory
 * (read-only, like an external directory's) with the user's memberships.
 */
import { and, eq, inArray, like } from 'drizzle-orm'
import * as schema from '../../../db/schema'
import type { Deps } from '../../deps'
import type { AccountRow, DirectoryRow } from '../../store/rows'
import type { MappedProfile } from '../../auth/types'
import { externalAccountRow, externalGroupRow } from '../external/rows'
import type { UpstreamSettings } from './settings'

export type UpstreamSignIn =
  | { kind: 'ok'; account: AccountRow }
  | {
      kind: 'refused'
      reason:
        'missing_mandatory_group' | 'no_account' | 'account_not_linked' | 'no_email' | 'disabled'
    }

const GROUP_ID_PREFIX = 'claim:'

export async function signInFromUpstream(
  deps: Deps,
  directory: DirectoryRow,
  settings: UpstreamSettings,
  profile: MappedProfile,
): Promise<UpstreamSignIn> {
  const required = settings.mandatoryGroups
  if (required.length > 0 && !profile.groups.some((group) => required.includes(group))) {
    return { kind: 'refused', reason: 'missing_mandatory_group' }
  }
  const { accounts } = schema
  const inDirectory = eq(accounts.directoryId, directory.id)
  let account = await deps.db
    .select()
    .from(accounts)
    .where(and(inDirectory, eq(accounts.externalId, profile.externalId)))
    .get()
  const now = deps.now()
  if (!account && profile.email) {
    const sameEmail = await deps.db
      .select()
      .from(accounts)
      .where(and(inDirectory, eq(accounts.email, profile.email)))
      .get()
    if (sameEmail) {
      // Account takeover defence: an upstream that does not vouch for the address, or a local
      // account that never proved it, must not be joined by an email match.
      if (
        !profile.emailVerified ||
        sameEmail.emailVerificationStatus !== 'VERIFIED' ||
        sameEmail.externalId
      ) {
        return { kind: 'refused', reason: 'account_not_linked' }
      }
      await deps.db
        .update(accounts)
        .set({ externalId: profile.externalId, modifiedAt: now })
        .where(eq(accounts.id, sameEmail.id))
      account = { ...sameEmail, externalId: profile.externalId }
    }
  }
  if (!account) {
    if (!settings.autoRegister) return { kind: 'refused', reason: 'no_account' }
    if (!profile.email) return { kind: 'refused', reason: 'no_email' }
    account = externalAccountRow(
      deps.newId(),
      directory,
      {
        externalId: profile.externalId,
        username: profile.email,
        email: profile.email,
        givenName: (profile.givenName ?? profile.name?.split(' ')[0] ?? '').slice(0, 255),
        surname: (profile.familyName ?? '').slice(0, 255),
        emailVerified: profile.emailVerified,
      },
      now,
    )
    try {
      await deps.db.insert(accounts).values(account)
    } catch {
      return { kind: 'refused', reason: 'account_not_linked' } // the username is another account's
    }
  }
  if (account.status !== 'ENABLED') return { kind: 'refused', reason: 'disabled' }
  await syncClaimGroups(deps, directory, account, profile.groups)
  return { kind: 'ok', account }
}

/** The account's memberships in claim groups become exactly the claim's (groups created as needed). */
async function syncClaimGroups(
  deps: Deps,
  directory: DirectoryRow,
  account: AccountRow,
  names: string[],
): Promise<void> {
  const { groups, groupMemberships } = schema
  const now = deps.now()
  const wanted = [
    ...new Set(names.map((name) => name.trim()).filter((name) => name && name.length <= 255)),
  ].slice(0, 100)
  const existing = await deps.db
    .select()
    .from(groups)
    .where(
      and(eq(groups.directoryId, directory.id), like(groups.externalId, `${GROUP_ID_PREFIX}%`)),
    )
    .all()
  const byName = new Map(
    existing.map((group) => [group.externalId!.slice(GROUP_ID_PREFIX.length), group]),
  )
  for (const name of wanted) {
    if (byName.has(name)) continue
    const group = externalGroupRow(deps.newId(), directory, name, `${GROUP_ID_PREFIX}${name}`, now)
    try {
      await deps.db.insert(groups).values(group)
      byName.set(name, group)
    } catch {
      // A local group has the name: the claim's group is not mirrored.
    }
  }
  const claimGroupIds = [...byName.values()].map((group) => group.id)
  if (claimGroupIds.length === 0) return
  const current = await deps.db
    .select()
    .from(groupMemberships)
    .where(
      and(
        eq(groupMemberships.accountId, account.id),
        inArray(groupMemberships.groupId, claimGroupIds.slice(0, 90)),
      ),
    )
    .all()
  const wantedIds = new Set(
    wanted.map((name) => byName.get(name)?.id).filter((id): id is string => !!id),
  )
  for (const membership of current) {
    if (!wantedIds.has(membership.groupId)) {
      await deps.db.delete(groupMemberships).where(eq(groupMemberships.id, membership.id))
    }
  }
  const have = new Set(current.map((membership) => membership.groupId))
  for (const groupId of wantedIds) {
    if (have.has(groupId)) continue
    await deps.db.insert(groupMemberships).values({
      id: deps.newId(),
      tenantId: directory.tenantId,
      accountId: account.id,
      groupId,
      createdAt: now,
      modifiedAt: now,
    })
  }
}
