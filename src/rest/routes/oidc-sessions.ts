/**
 * An account's OpenID Connect SSO sessions for its tenant's administrators (reference §1.6
 * item 2). Ending a session signs the browser out and revokes every token issued in it.
 *
 * - `GET /v1/accounts/{id}/oidcSessions`: the live sessions, each with the applications used in it
 * - `DELETE /v1/accounts/{id}/oidcSessions`: ends all of them
 * - `GET /v1/oidcSessions/{sid}`, `DELETE /v1/oidcSessions/{sid}`: one session by its `sid`
 * - `DELETE /v1/accounts/{id}/oidcGrants`: revokes the account's grants (consents and tokens)
 */
import * as schema from '../../../db/schema'
import { EdgepassError } from '../../errors'
import {
  endAccountSessions,
  endSessions,
  findSessionSummary,
  listAccountSessions,
  revokeAccountGrants,
  type SessionSummary,
} from '../../oidc/session-admin'
import type { JsonObject } from '../body'
import type { CollectionJson } from '../views/core'
import {
  mustFind,
  resource,
  scope,
  type RestApp,
  type RestContext,
  type RouteDeps,
} from './helpers'

/**
 * Registers the session routes.
 *
 * @example
 * oidcSessionRoutes(v1, r)
 */
export function oidcSessionRoutes(app: RestApp, r: RouteDeps): void {
  const sessionHref = (id: string) => `${r.hrefs.root}/oidcSessions/${encodeURIComponent(id)}`
  const view = (session: SessionSummary): JsonObject => ({
    href: sessionHref(session.id),
    id: session.id,
    createdAt: session.createdAt.toISOString(),
    authTime: session.authTime.toISOString(),
    expiresAt: session.expiresAt.toISOString(),
    userAgent: session.userAgent,
    amr: session.amr,
    account: { href: r.hrefs.of('accounts', session.accountId) },
    clients: session.clients.map((client) => ({
      clientId: client.clientId,
      applicationName: client.applicationName,
      application: { href: r.hrefs.of('applications', client.applicationId) },
    })),
  })
  /** The account of the path, in the caller's tenant; another tenant's is as missing. */
  const loadAccount = (c: RestContext) =>
    mustFind(scope(c, r), schema.accounts, c.req.param('id')!, 'account')
  const loadSession = async (c: RestContext) => {
    const session = await findSessionSummary(r.deps, scope(c, r).tenantId, c.req.param('sid')!)
    if (!session) throw new EdgepassError('not_found', 'The session does not exist.')
    return session
  }

  resource(app, '/accounts/:id/oidcSessions', {
    get: async (c) => {
      const account = await loadAccount(c)
      const items = (await listAccountSessions(r.deps, account.tenantId, account.id)).map(view)
      const collection: CollectionJson = {
        href: r.hrefs.of('accounts', account.id, 'oidcSessions'),
        offset: 0,
        limit: items.length,
        size: items.length,
        items,
      }
      c.header('Cache-Control', 'no-store')
      return c.json(collection)
    },
    delete: async (c) => {
      const account = await loadAccount(c)
      await endAccountSessions(r.deps, account.tenantId, account.id)
      return c.body(null, 204)
    },
  })
  resource(app, '/accounts/:id/oidcGrants', {
    delete: async (c) => {
      const account = await loadAccount(c)
      await revokeAccountGrants(r.deps, account.tenantId, account.id)
      return c.body(null, 204)
    },
  })
  resource(app, '/oidcSessions/:sid', {
    get: async (c) => {
      c.header('Cache-Control', 'no-store')
      return c.json(view(await loadSession(c)))
    },
    delete: async (c) => {
      const session = await loadSession(c)
      await endSessions(r.deps, scope(c, r).tenantId, [session.id])
      return c.body(null, 204)
    },
  })
}
