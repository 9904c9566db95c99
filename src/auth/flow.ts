/**
 * The filter's flow (seed 002; auth-framework reference §1.6, without its defects): the adapter
 * identifies the request; the app's own session is trusted as it is; a token is verified by the
 * provider (a short cache of verified tokens, keyed by their hash and never past their `exp`,
 * spares repeated verification); mandatory groups are checked before anything is written; the
 * user store finds or registers the account; the authenticator binds it.
 */
import type { Context } from 'hono'
import { hashSecretToken } from '../security/tokens'
import type { FilterOutcome } from './outcomes'
import type { MappedProfile, Profile, StrategyRuntime, UserStore } from './types'

const CACHE_TTL_MS = 60_000
const CACHE_SIZE = 500

/** Verified tokens by SHA-256, with their profile and when the entry expires. */
const verified = new Map<string, { profile: Profile; until: number }>()

async function verifyToken(strategy: StrategyRuntime, token: string): Promise<Profile | null> {
  const key = `${strategy.name}:${await hashSecretToken(token)}`
  const now = Date.now()
  const cached = verified.get(key)
  if (cached && cached.until > now) return cached.profile
  const profile = await strategy.provider.verify(token)
  if (!profile) return null
  const exp = typeof profile.exp === 'number' ? profile.exp * 1000 : now + CACHE_TTL_MS
  if (verified.size >= CACHE_SIZE) verified.clear()
  verified.set(key, { profile, until: Math.min(exp, now + CACHE_TTL_MS) })
  return profile
}

/** Who the request is, as an outcome (the filter's steps 1–7). */
export async function identifyRequest(
  c: Context,
  strategy: StrategyRuntime,
  users: UserStore,
  options: { anonymous?: boolean },
): Promise<FilterOutcome> {
  const presented = strategy.adapter
    ? await strategy.adapter.identify(c)
    : { kind: 'none' as const }
  switch (presented.kind) {
    case 'none':
      return options.anonymous ? { kind: 'anonymous' } : { kind: 'no_authenticated_user' }
    case 'invalid':
      return { kind: 'adapter_failure', reason: presented.reason }
    case 'identity':
      return presented.identity.strategy === strategy.name
        ? { kind: 'authenticated', identity: presented.identity }
        : options.anonymous
          ? { kind: 'anonymous' }
          : { kind: 'no_authenticated_user' }
    case 'token': {
      const profile = await verifyToken(strategy, presented.token)
      if (!profile) return { kind: 'not_verified' }
      return resolveAccount(strategy, users, strategy.provider.mapProfile(profile))
    }
  }
}

/** Mandatory groups, then the user store: the account of an upstream profile, as an outcome. */
export async function resolveAccount(
  strategy: StrategyRuntime,
  users: UserStore,
  profile: MappedProfile,
): Promise<FilterOutcome> {
  if (!profile.externalId) return { kind: 'not_verified' }
  const required = strategy.config.mandatoryGroups ?? []
  if (required.length > 0 && !profile.groups.some((group) => required.includes(group.trim()))) {
    return { kind: 'missing_mandatory_group', required }
  }
  try {
    const result = await users.sync(strategy.name, profile, {
      autoRegister: strategy.config.autoRegister ?? true,
    })
    if (result.kind === 'ok') return { kind: 'authenticated', identity: result.identity }
    if (result.kind === 'not_linked') return { kind: 'account_not_linked' }
    return { kind: 'no_user', pending: { strategy: strategy.name, profile } }
  } catch (error) {
    return { kind: 'sync_failed', error }
  }
}
