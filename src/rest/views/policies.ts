import { eq } from 'drizzle-orm'
import * as schema from '../../../db/schema'
import type { PoliciesRow } from '../../store/rows'
import type { JsonObject } from '../body'
import type { Scope } from '../context'
import { parseExpand } from '../query'
import { MAIL_WORKFLOWS, workflowsOf } from '../../mail/templates'
import { isoDuration } from '../../directory/durations'
import { timestamps } from './core'

export type PolicyType = 'passwordPolicies' | 'accountCreationPolicies' | 'accountLockingPolicies'

export { isoDuration }

export async function findPolicies(
  scope: Scope,
  directoryId: string,
): Promise<PoliciesRow | undefined> {
  const row = await scope.deps.db
    .select()
    .from(schema.directoryPolicies)
    .where(eq(schema.directoryPolicies.directoryId, directoryId))
    .get()
  return row?.tenantId === scope.tenantId ? row : undefined
}

/** One of a directory's three policy resources, from its policies row. */
export function policyJson(scope: Scope, type: PolicyType, row: PoliciesRow): JsonObject {
  const href = scope.hrefs.of(type, row.directoryId)
  const templates = Object.fromEntries(
    workflowsOf(type).map((workflow) => {
      const { collection } = MAIL_WORKFLOWS[workflow]
      return [collection, { href: `${href}/${collection}` }]
    }),
  )
  const common = { href, ...timestamps(row), ...templates }
  if (type === 'passwordPolicies') {
    return {
      ...common,
      resetTokenTtl: row.resetTokenTtlHours,
      resetEmailStatus: row.resetEmailStatus,
      resetSuccessEmailStatus: row.resetSuccessEmailStatus,
      strength: { href: `${href}/strength` },
    }
  }
  if (type === 'accountCreationPolicies') {
    return {
      ...common,
      verificationEmailStatus: row.verificationEmailStatus,
      verificationSuccessEmailStatus: row.verificationSuccessEmailStatus,
      welcomeEmailStatus: row.welcomeEmailStatus,
      emailDomainWhitelist: JSON.parse(row.emailDomainWhitelist),
      emailDomainBlacklist: JSON.parse(row.emailDomainBlacklist),
    }
  }
  return {
    ...common,
    maxFailedLoginAttempts: row.maxFailedLoginAttempts,
    accountLockDuration: isoDuration(row.accountLockDurationSeconds),
    accountLockedEmailStatus: row.accountLockedEmailStatus,
  }
}

export function strengthJson(scope: Scope, row: PoliciesRow): JsonObject {
  return {
    href: `${scope.hrefs.of('passwordPolicies', row.directoryId)}/strength`,
    minLength: row.minLength,
    maxLength: row.maxLength,
    minLowerCase: row.minLowerCase,
    minUpperCase: row.minUpperCase,
    minNumeric: row.minNumeric,
    minSymbol: row.minSymbol,
    minDiacritic: row.minDiacritic,
    preventReuse: row.preventReuse,
    ...timestamps(row),
  }
}

/** What `?expand=` may name on each policy resource (stormpath-api reference §8). */
const EXPANDABLE: Record<PolicyType | 'strength', Record<string, 'link'>> = {
  passwordPolicies: { strength: 'link' },
  accountCreationPolicies: {},
  accountLockingPolicies: {},
  strength: {},
}

/**
 * Parses `?expand=` at once (`strength` on a password policy; any other name → 2107, as on
 * every resource) and returns the renderer for the response, so a route that writes can refuse
 * a bad `expand` before writing.
 */
export function policyRendererFor(
  scope: Scope,
  type: PolicyType | 'strength',
  query: URLSearchParams,
): (row: PoliciesRow) => JsonObject {
  const expand = parseExpand(query.get('expand'), EXPANDABLE[type])
  return (row) => {
    if (type === 'strength') return strengthJson(scope, row)
    const json = policyJson(scope, type, row)
    if (expand.length > 0) json.strength = strengthJson(scope, row)
    return json
  }
}

export async function renderPolicy(
  scope: Scope,
  type: PolicyType,
  directoryId: string,
): Promise<JsonObject | null> {
  const row = await findPolicies(scope, directoryId)
  return row ? policyJson(scope, type, row) : null
}
