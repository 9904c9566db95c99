/**
 * Credentials checked by this Edgepass in the same process (an app that embeds Edgepass): the
 * login of an application's stores, with its lockout and rate rules, as `loginAttempts` does.
 */
import { and, eq } from 'drizzle-orm'
import * as schema from '../../../db/schema'
import type { Deps } from '../../deps'
import { attemptLogin } from '../../directory/login'
import type { CheckCredentials } from './local'

/**
 * @example
 * localProvider({ check: edgepassInProcess(deps, { tenantId, applicationId }) })
 */
export function edgepassInProcess(
  deps: Deps,
  where: { tenantId: string; applicationId: string },
): CheckCredentials {
  return async (username, password) => {
    const { tenants, applications, groups, groupMemberships } = schema
    const tenant = await deps.db.select().from(tenants).where(eq(tenants.id, where.tenantId)).get()
    const application = await deps.db
      .select()
      .from(applications)
      .where(
        and(eq(applications.id, where.applicationId), eq(applications.tenantId, where.tenantId)),
      )
      .get()
    if (!tenant || !application) return null
    const outcome = await attemptLogin(deps, tenant, application, username, password, {
      kind: 'all',
    })
    if (outcome.kind !== 'authenticated') return null
    const { account } = outcome
    const memberOf = await deps.db
      .select({ name: groups.name })
      .from(groupMemberships)
      .innerJoin(groups, eq(groups.id, groupMemberships.groupId))
      .where(eq(groupMemberships.accountId, account.id))
      .all()
    return {
      sub: account.id,
      email: account.email,
      name: [account.givenName, account.surname].filter(Boolean).join(' ') || account.username,
      groups: memberOf.map((group) => group.name),
    }
  }
}
