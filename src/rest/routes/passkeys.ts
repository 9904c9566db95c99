/**
 * An account's passkeys for its tenant's administrators (issue "2FA" item 6): listed and
 * deleted (a lost device), never created here — registering needs the user's authenticator, on
 * the account page. An account has at most 20, so the collection is one page.
 *
 * - `GET /v1/accounts/{id}/passkeys`
 * - `GET|DELETE /v1/passkeys/{id}`
 */
import * as schema from '../../../db/schema'
import { deletePasskey, listPasskeys } from '../../mfa/passkeys'
import type { PasskeyRow } from '../../store/rows'
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

export function passkeyRoutes(app: RestApp, r: RouteDeps): void {
  const view = (row: PasskeyRow): JsonObject => ({
    href: r.hrefs.of('passkeys', row.id),
    name: row.name,
    credentialId: row.credentialId,
    deviceType: row.deviceType,
    backedUp: row.backedUp,
    transports: JSON.parse(row.transports) as string[],
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    modifiedAt: row.modifiedAt.toISOString(),
    account: { href: r.hrefs.of('accounts', row.accountId) },
  })
  const loadPasskey = (c: RestContext) =>
    mustFind(scope(c, r), schema.passkeys, c.req.param('id')!, 'passkey')

  resource(app, '/accounts/:id/passkeys', {
    get: async (c) => {
      const account = await mustFind(scope(c, r), schema.accounts, c.req.param('id')!, 'account')
      const items = (await listPasskeys(r.deps, account.tenantId, account.id)).map(view)
      const collection: CollectionJson = {
        href: r.hrefs.of('accounts', account.id, 'passkeys'),
        offset: 0,
        limit: items.length,
        size: items.length,
        items,
      }
      return c.json(collection)
    },
  })

  resource(app, '/passkeys/:id', {
    get: async (c) => c.json(view(await loadPasskey(c))),
    delete: async (c) => {
      const passkey = await loadPasskey(c)
      await deletePasskey(r.deps, passkey.tenantId, passkey.accountId, passkey.id)
      return c.body(null, 204)
    },
  })
}
