import { eq } from 'drizzle-orm'
import * as schema from '../../../db/schema'
import { findClientOfApplication } from '../../oidc/clients'
import { settingsOf } from '../../oidc/clients-settings'
import { defaultTenant, issuerOf } from '../../oidc/issuer'
import type { ApplicationRow, OidcClientRow } from '../../store/rows'
import { findInTenant } from '../../store/scoped'
import type { Scope } from '../context'
import { applicationView } from './applications'
import { render, timestamps, type LinkSpec, type View } from './core'
import { ownTenant } from './directory'

/** The row with its tenant's issuer, which an administrator needs to configure the RP. */
type ClientWithIssuer = OidcClientRow & { _issuer?: string }

/**
 * `/v1/oidcClients/{clientId}`: the client's settings under their REST names, never its secret
 * (that appears once, beside this representation, when it is issued).
 */
export const oidcClientView: View<ClientWithIssuer> = {
  prepare: async (scope, row) => ({ ...row, _issuer: await tenantIssuer(scope) }),
  attributes: (scope, row) => ({
    href: scope.hrefs.of('oidcClients', row.id),
    clientId: row.id,
    issuer: row._issuer ?? null,
    ...settingsOf(row),
    ...timestamps(row),
  }),
  links: {
    tenant: ownTenant(),
    application: {
      kind: 'link',
      href: (scope, row) => scope.hrefs.of('applications', row.applicationId),
      expand: async (scope, row) => {
        const application = await findInTenant(
          scope.deps.db,
          schema.applications,
          scope.tenantId,
          row.applicationId,
        )
        return application ? render(scope, applicationView, application) : null
      },
    },
    secrets: {
      kind: 'link',
      href: (scope, row) => scope.hrefs.of('oidcClients', row.id, 'secrets'),
      expand: async () => null,
    },
  },
}

/**
 * An application's `oidcClient` link: always an href (`GET` redirects to the client or answers
 * 404), expanded to the client or null. A function declaration, so that the applications view
 * can use it while this module is still initialising (the two views import each other).
 */
export function oidcClientLink(): LinkSpec<ApplicationRow> {
  return {
    kind: 'link',
    href: (scope, row) => scope.hrefs.of('applications', row.id, 'oidcClient'),
    expand: async (scope, row) => {
      const client = await findClientOfApplication(scope.deps, row)
      return client ? render(scope, oidcClientView, client) : null
    },
  }
}

async function tenantIssuer(scope: Scope): Promise<string | undefined> {
  const { tenants } = schema
  const [tenant, fallback] = await Promise.all([
    scope.deps.db.select().from(tenants).where(eq(tenants.id, scope.tenantId)).get(),
    defaultTenant(scope.deps),
  ])
  return tenant ? issuerOf(scope.deps, tenant, tenant.id === fallback?.id) : undefined
}
