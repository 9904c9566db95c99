/**
 * The LDAP server's settings through `/v1` (issue "LDAP directory server", item 6):
 *
 * - `GET|POST /v1/tenants/{id}/ldap` — `enabled`, `suffix`, `allowlist`; `adminDn` and
 *   `adminSecretSet` are read-only
 * - `POST /v1/tenants/{id}/ldap/adminSecret` — a new admin bind secret, in this answer only
 * - `POST|DELETE /v1/applications/{id}/ldapSecret` — an application's bind DN and a new secret
 *   (in this answer only), or no LDAP access for it
 */
import { eq } from 'drizzle-orm'
import * as v from 'valibot'
import * as schema from '../../../db/schema'
import {
  deleteLdapAppSecret,
  ldapSettingsOf,
  rotateLdapAdminSecret,
  rotateLdapAppSecret,
  updateLdapSettings,
} from '../../directory/ldap-settings'
import { EdgepassError } from '../../errors'
import type { LdapSettingsRow } from '../../store/rows'
import { readJsonObject, type JsonObject } from '../body'
import { readFields } from '../fields'
import {
  loadPathTenant,
  mustFind,
  resource,
  scope,
  type RestApp,
  type RestContext,
  type RouteDeps,
} from './helpers'

const settingsFields = {
  enabled: v.boolean(),
  suffix: v.pipe(v.string(), v.maxLength(255)),
  allowlist: v.pipe(v.array(v.pipe(v.string(), v.maxLength(64))), v.maxLength(100)),
}

export function ldapSettingsRoutes(app: RestApp, r: RouteDeps): void {
  const href = (tenantId: string) => r.hrefs.of('tenants', tenantId, 'ldap')
  const view = (row: LdapSettingsRow): JsonObject => ({
    href: href(row.tenantId),
    enabled: row.enabled,
    suffix: row.suffix,
    allowlist: JSON.parse(row.allowlist) as string[],
    adminDn: `cn=admin,ou=system,${row.suffix}`,
    adminSecretSet: row.adminSecretHash !== null,
    createdAt: row.createdAt.toISOString(),
    modifiedAt: row.modifiedAt.toISOString(),
    tenant: { href: r.hrefs.of('tenants', row.tenantId) },
  })
  const loadTenant = (c: RestContext) => loadPathTenant(c, r)

  resource(app, '/tenants/:id/ldap', {
    get: async (c) => c.json(view(await ldapSettingsOf(r.deps, await loadTenant(c)))),
    post: async (c) => {
      const tenant = await loadTenant(c)
      const input = readFields(await readJsonObject(c), settingsFields)
      return c.json(view(await updateLdapSettings(r.deps, tenant, input)))
    },
  })

  resource(app, '/tenants/:id/ldap/adminSecret', {
    post: async (c) => {
      const tenant = await loadTenant(c)
      const secret = await rotateLdapAdminSecret(r.deps, tenant)
      const settings = await ldapSettingsOf(r.deps, tenant)
      c.header('Cache-Control', 'no-store')
      return c.json({ ...view(settings), adminSecret: secret })
    },
  })

  resource(app, '/applications/:id/ldapSecret', {
    post: async (c) => {
      const s = scope(c, r)
      const application = await mustFind(s, schema.applications, c.req.param('id')!, 'application')
      const tenant = await r.deps.db
        .select({ id: schema.tenants.id, nameKey: schema.tenants.nameKey })
        .from(schema.tenants)
        .where(eq(schema.tenants.id, application.tenantId))
        .get()
      if (!tenant) throw new EdgepassError('not_found', 'The tenant does not exist.')
      const settings = await ldapSettingsOf(r.deps, tenant)
      const secret = await rotateLdapAppSecret(r.deps, application)
      c.header('Cache-Control', 'no-store')
      return c.json({
        href: r.hrefs.of('applications', application.id, 'ldapSecret'),
        bindDn: `cn=${application.id},ou=apps,${settings.suffix}`,
        secret,
        application: { href: r.hrefs.of('applications', application.id) },
      })
    },
    delete: async (c) => {
      const application = await mustFind(
        scope(c, r),
        schema.applications,
        c.req.param('id')!,
        'application',
      )
      await deleteLdapAppSecret(r.deps, application)
      return c.body(null, 204)
    },
  })
}
