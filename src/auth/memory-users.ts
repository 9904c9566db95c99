/**
 * A user store in memory, for samples and tests: accounts keyed by (strategy, upstream id);
 * linking to an existing account by email only when the upstream asserts the email verified and
 * the account's own email is verified (the conservative rule of better-auth, §5).
 */
import type { Identity, MappedProfile, SyncResult, UserStore } from './types'

export interface MemoryAccount {
  id: string
  email?: string
  emailVerified: boolean
  name?: string
  links: Set<string>
}

export function memoryUserStore(
  seed: MemoryAccount[] = [],
): UserStore & { accounts: MemoryAccount[] } {
  const accounts = [...seed]
  const identityOf = (
    account: MemoryAccount,
    strategy: string,
    profile: MappedProfile,
  ): Identity => ({
    id: account.id,
    strategy,
    externalId: profile.externalId,
    email: account.email,
    name: account.name ?? profile.name,
    groups: profile.groups,
  })
  return {
    accounts,
    async sync(strategy, profile, options): Promise<SyncResult> {
      const link = `${strategy}:${profile.externalId}`
      const linked = accounts.find((account) => account.links.has(link))
      if (linked) return { kind: 'ok', identity: identityOf(linked, strategy, profile) }
      const sameEmail = profile.email
        ? accounts.find((account) => account.email === profile.email)
        : undefined
      if (sameEmail) {
        if (!profile.emailVerified || !sameEmail.emailVerified) return { kind: 'not_linked' }
        sameEmail.links.add(link)
        return { kind: 'ok', identity: identityOf(sameEmail, strategy, profile) }
      }
      if (!options.autoRegister) return { kind: 'no_account' }
      const account: MemoryAccount = {
        id: crypto.randomUUID(),
        email: profile.email,
        emailVerified: profile.emailVerified === true,
        name: profile.name,
        links: new Set([link]),
      }
      accounts.push(account)
      return { kind: 'ok', identity: identityOf(account, strategy, profile) }
    },
  }
}
