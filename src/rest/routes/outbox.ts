import * as v from 'valibot'
import * as schema from '../../../db/schema'
import { EdgepassError } from '../../errors'
import { deliverInBackground } from '../../mail/delivery'
import { requeueMail, REQUEUEABLE } from '../../mail/requeue'
import type { TenantRow } from '../../store/rows'
import { readJsonObject } from '../body'
import { readFields } from '../fields'
import { rendererFor, renderRequested } from '../views/core'
import { tenantView } from '../views/directory'
import { outboxView } from '../views/outbox'
import { serveCollection } from './directories'
import {
  mustFind,
  queryOf,
  resource,
  scope,
  type RestApp,
  type RestContext,
  type RouteDeps,
} from './helpers'

/** The one change an administrator may make to a mail: queue it again. */
const retryFields = { status: v.picklist(['queued']) }

/**
 * The tenant's outgoing mail: `GET /tenants/:id/outbox` (newest first, searchable by `status`,
 * `workflow`, `to`), `GET /outbox/:id`, and `POST /outbox/:id {"status": "queued"}` to send a
 * failed or logged mail again.
 */
export function outboxRoutes(app: RestApp, r: RouteDeps): void {
  const loadMail = (c: RestContext) =>
    mustFind(scope(c, r), schema.outbox, c.req.param('id')!, 'mail')

  serveCollection(app, r, '/tenants/:id/outbox', ownTenant, tenantView.links.outbox!)
  resource(app, '/outbox/:id', {
    get: async (c) =>
      c.json(await renderRequested(scope(c, r), outboxView, await loadMail(c), queryOf(c))),
    post: async (c) => {
      const mail = await loadMail(c)
      const respond = rendererFor(scope(c, r), outboxView, queryOf(c))
      readFields(await readJsonObject(c), retryFields, ['status'])
      const outcome = await requeueMail(r.deps, mail)
      if (outcome.kind === 'not_requeueable') {
        throw new EdgepassError(
          'invalid_value',
          `status can become queued only for ${REQUEUEABLE.join(' or ')} mail.`,
          { field: 'status', developerMessage: `The mail is ${outcome.status}.` },
        )
      }
      deliverInBackground(c, r.deps)
      return c.json(await respond(outcome.row))
    },
  })
}

/**
 * The caller's tenant, by the id in the path. Another tenant is indistinguishable from a missing
 * one (DESIGN.md principle 8); the caller's own exists, or it could not have authenticated.
 */
async function ownTenant(c: RestContext): Promise<TenantRow> {
  const tenantId = c.get('caller').tenantId
  if (c.req.param('id') !== tenantId) {
    throw new EdgepassError('not_found', 'The tenant does not exist.')
  }
  return { id: tenantId } as TenantRow
}
