/**
 * A tenant's OIDC signing keys for its administrators (reference §6.2): the list, public halves
 * only, and an on-demand rotation.
 *
 * - `GET /v1/tenants/{id}/signingKeys`
 * - `POST /v1/tenants/{id}/signingKeys/rotations` `{}`: promotes the `next` key if it has been
 *   published long enough, else makes sure there is one; `{"force": true}`: a fresh key signs at
 *   once (emergency). Answers the list as it now stands.
 */
import { asc, eq } from 'drizzle-orm'
import * as v from 'valibot'
import * as schema from '../../../db/schema'
import { EdgepassError } from '../../errors'
import { publicJwkOf, rotateSigningKeys } from '../../oidc/keys'
import { readJsonObject, type JsonObject } from '../body'
import { readFields } from '../fields'
import type { CollectionJson } from '../views/core'
import { resource, scope, type RestApp, type RestContext, type RouteDeps } from './helpers'

const rotationFields = { force: v.boolean() }

const STATE_ORDER = { active: 0, next: 1, retired: 2 } as const

/**
 * Registers the signing key routes.
 *
 * @example
 * signingKeyRoutes(v1, r)
 */
export function signingKeyRoutes(app: RestApp, r: RouteDeps): void {
  /** The caller's own tenant; another tenant's id is as missing as an unknown one. */
  const tenantIdOf = (c: RestContext): string => {
    const { tenantId } = scope(c, r)
    if (c.req.param('id') !== tenantId) {
      throw new EdgepassError('not_found', 'The tenant does not exist.')
    }
    return tenantId
  }
  const list = async (tenantId: string): Promise<CollectionJson> => {
    const { signingKeys } = schema
    const rows = await r.deps.db
      .select()
      .from(signingKeys)
      .where(eq(signingKeys.tenantId, tenantId))
      .orderBy(asc(signingKeys.createdAt), asc(signingKeys.kid))
    const items = rows
      .sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state])
      .map((row): JsonObject => ({
        kid: row.kid,
        alg: row.alg,
        state: row.state,
        createdAt: row.createdAt.toISOString(),
        activatedAt: row.activatedAt?.toISOString() ?? null,
        retiredAt: row.retiredAt?.toISOString() ?? null,
        deleteAfter: row.deleteAfter?.toISOString() ?? null,
        // Never the sealed private half: the public JWK is rebuilt from public members only.
        publicJwk: publicJwkOf(row) as JsonObject,
      }))
    const href = r.hrefs.of('tenants', tenantId, 'signingKeys')
    return { href, offset: 0, limit: items.length, size: items.length, items }
  }

  resource(app, '/tenants/:id/signingKeys', {
    get: async (c) => c.json(await list(tenantIdOf(c))),
  })
  resource(app, '/tenants/:id/signingKeys/rotations', {
    post: async (c) => {
      const tenantId = tenantIdOf(c)
      const { force } = readFields(await readJsonObject(c), rotationFields)
      // On demand, "due" means as soon as it is safe: no waiting for the rotation period.
      await rotateSigningKeys(r.deps, tenantId, force ? { force } : { rotationPeriodMs: 0 })
      return c.json(await list(tenantId))
    },
  })
}
