import { eq } from 'drizzle-orm'
import * as v from 'valibot'
import * as schema from '../../../db/schema'
import { validateStrength } from '../../directory/password-policy'
import { EdgepassError } from '../../errors'
import type { PoliciesRow } from '../../store/rows'
import { readJsonObject } from '../body'
import { picklist, readFields, STATUS } from '../fields'
import { findPolicies, policyRendererFor, type PolicyType } from '../views/policies'
import { queryOf, resource, scope, type RestApp, type RestContext, type RouteDeps } from './helpers'

const count = (max: number) => v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(max))
const domains = v.pipe(
  v.array(v.pipe(v.string(), v.regex(/^\*?[a-z0-9.-]{1,253}$/i))),
  v.maxLength(1000),
)

/**
 * An ISO-8601 `PTnHnMnS` duration with at least one part ("PT" alone is no duration). Each part
 * has a bounded number of digits so the sum stays an exact integer, whatever the input.
 */
const LOCK_DURATION = /^PT(?=\d)(?:(\d{1,9})H)?(?:(\d{1,9})M)?(?:(\d{1,9})S)?$/
/** Ten years, the ceiling of OAuth token lifetimes (stormpath-api reference §7). */
const MAX_LOCK_SECONDS = 10 * 365 * 24 * 3600

/** Seconds of a duration that matched {@link LOCK_DURATION}. */
function durationSeconds(value: string): number {
  const [, h = '0', m = '0', s = '0'] = LOCK_DURATION.exec(value) ?? []
  return Number(h) * 3600 + Number(m) * 60 + Number(s)
}

const FIELDS = {
  passwordPolicies: {
    resetTokenTtl: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(168)),
    resetEmailStatus: picklist(STATUS),
    resetSuccessEmailStatus: picklist(STATUS),
  },
  accountCreationPolicies: {
    verificationEmailStatus: picklist(STATUS),
    verificationSuccessEmailStatus: picklist(STATUS),
    welcomeEmailStatus: picklist(STATUS),
    emailDomainWhitelist: domains,
    emailDomainBlacklist: domains,
  },
  accountLockingPolicies: {
    maxFailedLoginAttempts: count(100),
    accountLockDuration: v.pipe(
      v.string(),
      v.regex(LOCK_DURATION),
      v.transform(durationSeconds),
      v.maxValue(MAX_LOCK_SECONDS),
    ),
    accountLockedEmailStatus: picklist(STATUS),
  },
} as const

const STRENGTH_FIELDS = {
  minLength: count(1024),
  maxLength: count(1024),
  minLowerCase: count(1024),
  minUpperCase: count(1024),
  minNumeric: count(1024),
  minSymbol: count(1024),
  minDiacritic: count(1024),
  preventReuse: count(25),
}

/** A directory's policy resources, addressed by the directory's id (stormpath-api reference §6). */
export function policyRoutes(app: RestApp, r: RouteDeps): void {
  const load = async (c: RestContext): Promise<PoliciesRow> => {
    const row = await findPolicies(scope(c, r), c.req.param('id')!)
    if (!row) throw new EdgepassError('not_found', 'The policy does not exist.')
    return row
  }
  const save = async (row: PoliciesRow, changes: Partial<PoliciesRow>) => {
    const [updated] = await r.deps.db
      .update(schema.directoryPolicies)
      .set({ ...changes, modifiedAt: r.deps.now() })
      .where(eq(schema.directoryPolicies.directoryId, row.directoryId))
      .returning()
    return updated!
  }
  for (const type of [
    'passwordPolicies',
    'accountCreationPolicies',
    'accountLockingPolicies',
  ] as PolicyType[]) {
    resource(app, `/${type}/:id`, {
      get: async (c) => c.json(policyRendererFor(scope(c, r), type, queryOf(c))(await load(c))),
      post: async (c) => {
        const row = await load(c)
        const respond = policyRendererFor(scope(c, r), type, queryOf(c))
        const input = readFields(await readJsonObject(c), FIELDS[type]) as Record<string, unknown>
        const changes: Partial<PoliciesRow> = {}
        for (const [field, value] of Object.entries(input)) {
          if (field === 'resetTokenTtl') changes.resetTokenTtlHours = value as number
          else if (field === 'accountLockDuration')
            changes.accountLockDurationSeconds = value as number
          else if (Array.isArray(value))
            (changes as Record<string, unknown>)[field] = JSON.stringify(value)
          else (changes as Record<string, unknown>)[field] = value
        }
        return c.json(respond(await save(row, changes)))
      },
    })
  }
  resource(app, '/passwordPolicies/:id/strength', {
    get: async (c) => c.json(policyRendererFor(scope(c, r), 'strength', queryOf(c))(await load(c))),
    post: async (c) => {
      const row = await load(c)
      const respond = policyRendererFor(scope(c, r), 'strength', queryOf(c))
      const input = readFields(await readJsonObject(c), STRENGTH_FIELDS)
      const next = { ...row, ...input }
      validateStrength(next)
      return c.json(respond(await save(row, input)))
    },
  })
}
