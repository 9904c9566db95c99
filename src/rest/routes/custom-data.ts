import { and, eq } from 'drizzle-orm'
import * as schema from '../../../db/schema'
import {
  checkCustomDataName,
  mergeCustomData,
  parseCustomData,
  refusingOversizedCustomData,
  type CustomData,
} from '../../directory/custom-data'
import { EdgepassError } from '../../errors'
import { inTenant } from '../../store/scoped'
import { readJsonObject } from '../body'
import type { Scope } from '../context'
import type { ResourceType } from '../hrefs'
import { renderCustomData } from '../views/core'
import {
  mustFind,
  resource,
  scope,
  type RestApp,
  type RestContext,
  type RouteDeps,
} from './helpers'

const OWNERS = {
  tenants: schema.tenants,
  applications: schema.applications,
  directories: schema.directories,
  groups: schema.groups,
  organizations: schema.organizations,
  accounts: schema.accounts,
} as const

type OwnerType = keyof typeof OWNERS
/** The columns custom data needs; every owner table has them (tenants have no `tenantId`). */
type OwnerTable = typeof schema.accounts
type OwnerRow = Pick<
  OwnerTable['$inferSelect'],
  'id' | 'version' | 'createdAt' | 'customData' | 'customDataModifiedAt'
>

/**
 * Each round of a versioned write lets at least one writer through, so N concurrent merges on
 * one resource need up to N attempts; beyond this many the client is asked to retry (503).
 */
const WRITE_ATTEMPTS = 12

/**
 * `/{type}/{id}/customData`: GET it, POST merges keys, DELETE clears it, and DELETE
 * `…/customData/{key}` removes one key (stormpath-api reference §7). Writes are versioned
 * read-modify-writes, so concurrent merges do not lose keys.
 */
export function customDataRoutes(app: RestApp, r: RouteDeps): void {
  for (const type of Object.keys(OWNERS) as OwnerType[]) {
    const table = OWNERS[type] as OwnerTable
    const load = (c: RestContext) => loadOwner(scope(c, r), type, c.req.param('id')!)
    const write = async (c: RestContext, change: (data: CustomData) => string) => {
      const s = scope(c, r)
      let row = await load(c)
      for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
        const json = change(parseCustomData(row.customData))
        const [updated] = await refusingOversizedCustomData(() =>
          s.deps.db
            .update(table)
            .set({ customData: json, customDataModifiedAt: s.deps.now(), version: row.version + 1 })
            .where(and(ownerCondition(s, type, row.id), eq(table.version, row.version)))
            .returning(),
        )
        if (updated) return renderCustomData(s, type as ResourceType, updated)
        row = await load(c)
      }
      throw new EdgepassError('unavailable', 'The custom data is changing too often; try again.', {
        developerMessage: `${WRITE_ATTEMPTS} concurrent writes won the race; retry the request.`,
        retryAfterSeconds: 1,
      })
    }
    resource(app, `/${type}/:id/customData`, {
      get: async (c) => c.json(renderCustomData(scope(c, r), type as ResourceType, await load(c))),
      post: async (c) => {
        const changes = await readJsonObject(c)
        return c.json(await write(c, (data) => mergeCustomData(data, changes).json))
      },
      delete: async (c) => {
        await write(c, () => '{}')
        return c.body(null, 204)
      },
    })
    resource(app, `/${type}/:id/customData/:key`, {
      delete: async (c) => {
        const key = c.req.param('key')!
        checkCustomDataName(key)
        await write(c, (data) => {
          const { [key]: _removed, ...rest } = data
          return JSON.stringify(rest)
        })
        return c.body(null, 204)
      },
    })
  }
}

/**
 * A tenant is its own scope: the caller's tenant row, and no other. (The generic tenant scope,
 * `inTenant`, needs a `tenant_id` column that the tenants table does not have.)
 */
function ownerCondition(s: Scope, type: OwnerType, id: string) {
  return type === 'tenants'
    ? and(eq(schema.tenants.id, id), eq(schema.tenants.id, s.tenantId))!
    : inTenant(OWNERS[type] as OwnerTable, s.tenantId, id)
}

async function loadOwner(s: Scope, type: OwnerType, id: string): Promise<OwnerRow> {
  if (type !== 'tenants') return mustFind(s, OWNERS[type] as OwnerTable, id, type.slice(0, -1))
  const tenant =
    id === s.tenantId
      ? await s.deps.db
          .select()
          .from(schema.tenants)
          .where(ownerCondition(s, type, id))
          .get()
      : undefined
  // Another tenant is indistinguishable from a missing one.
  if (!tenant) throw new EdgepassError('not_found', 'The tenant does not exist.')
  return tenant
}
