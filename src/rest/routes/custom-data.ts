import * as schema from '../../../db/schema'
import { checkCustomDataName, mergeCustomData, parseCustomData } from '../../directory/custom-data'
import { EdgepassError } from '../../errors'
import { updateVersioned } from '../../store/scoped'
import { readJsonObject } from '../body'
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

/**
 * `/{type}/{id}/customData`: GET it, POST merges keys, DELETE clears it, and DELETE
 * `…/customData/{key}` removes one key (stormpath-api reference §7). Writes are versioned
 * read-modify-writes, so concurrent merges do not lose keys.
 */
export function customDataRoutes(app: RestApp, r: RouteDeps): void {
  for (const [type, table] of Object.entries(OWNERS) as [
    keyof typeof OWNERS,
    (typeof OWNERS)[keyof typeof OWNERS],
  ][]) {
    const load = async (c: RestContext) => {
      const s = scope(c, r)
      if (type === 'tenants' && c.req.param('id') !== s.tenantId)
        throw new EdgepassError('not_found', 'The tenant does not exist.')
      return mustFind(s, table as typeof schema.accounts, c.req.param('id')!, type.slice(0, -1))
    }
    const write = async (
      c: RestContext,
      change: (data: Record<string, unknown>) => Record<string, unknown>,
    ) => {
      const row = await load(c)
      const now = r.deps.now()
      const updated = await updateVersioned(
        r.deps.db,
        table as typeof schema.accounts,
        row,
        (current) => ({
          customData: JSON.stringify(change(parseCustomData(current.customData))),
          customDataModifiedAt: now,
        }),
      )
      if (!updated) throw new EdgepassError('not_found', 'The resource no longer exists.')
      return renderCustomData(scope(c, r), type as ResourceType, updated)
    }
    resource(app, `/${type}/:id/customData`, {
      get: async (c) => c.json(renderCustomData(scope(c, r), type as ResourceType, await load(c))),
      post: async (c) => {
        const changes = await readJsonObject(c)
        return c.json(await write(c, (data) => mergeCustomData(data, changes).data))
      },
      delete: async (c) => {
        await write(c, () => ({}))
        return c.body(null, 204)
      },
    })
    resource(app, `/${type}/:id/customData/:key`, {
      delete: async (c) => {
        const key = c.req.param('key')!
        checkCustomDataName(key)
        await write(c, (data) => {
          const { [key]: _removed, ...rest } = data
          return rest
        })
        return c.body(null, 204)
      },
    })
  }
}
