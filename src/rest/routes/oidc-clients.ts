import * as v from 'valibot'
import * as schema from '../../../db/schema'
import { EdgepassError } from '../../errors'
import {
  createOidcClient,
  deleteOidcClient,
  findClientOfApplication,
  rotateClientSecret,
  updateOidcClient,
  type ClientWithSecret,
} from '../../oidc/clients'
import type { OidcClientInput } from '../../oidc/clients-settings'
import { readJsonObject, type JsonObject } from '../body'
import { readFields } from '../fields'
import { readLink } from '../hrefs'
import { rendererFor } from '../views/core'
import { oidcClientView } from '../views/oidc-clients'
import { mustFindReference } from './directories'
import {
  created,
  mustFind,
  queryOf,
  resource,
  scope,
  type RestApp,
  type RestContext,
  type RouteDeps,
} from './helpers'

const strings = v.array(v.string())

/**
 * JSON types only: the domain (`resolveClientSettings`) owns the rules — enum values, URI
 * schemes, counts, lengths, bounds — and reports each with the field's name.
 */
const clientFields = {
  redirectUris: strings,
  postLogoutRedirectUris: strings,
  grantTypes: strings,
  corsOrigins: strings,
  tokenEndpointAuthMethod: v.string(),
  idTokenSignedResponseAlg: v.string(),
  idTokenClaims: v.string(),
  subjectType: v.string(),
  trusted: v.boolean(),
  alwaysIssueRefreshToken: v.boolean(),
  // Checked before record(), which would take an array for {"0": …, "1": …}.
  customClaims: v.pipe(
    v.unknown(),
    v.check((value) => !Array.isArray(value), 'customClaims must be a JSON object'),
    v.record(v.string(), v.string()),
  ),
  accessTokenTtl: v.number(),
  idTokenTtl: v.number(),
  refreshTokenTtl: v.number(),
}

/**
 * `/v1/oidcClients` (reference §1.4): an application's OpenID Connect client. The secret is
 * in the answer to the create (confidential clients) and to `POST …/secrets`, never in a read.
 */
export function oidcClientRoutes(app: RestApp, r: RouteDeps): void {
  const loadClient = (c: RestContext) =>
    mustFind(scope(c, r), schema.oidcClients, c.req.param('clientId')!, 'OpenID Connect client')

  resource(app, '/oidcClients', {
    post: async (c) => {
      const s = scope(c, r)
      const body = await readJsonObject(c)
      if (body.application === undefined || body.application === null) {
        throw new EdgepassError('required', 'application is required.', { field: 'application' })
      }
      const ref = readLink(r.hrefs, body.application, 'application', ['applications'])
      const input = readClientInput(body)
      // Another tenant's application is as missing as a deleted one.
      const application = await mustFindReference(s, schema.applications, ref.id, 'application')
      const respond = rendererFor(s, oidcClientView, queryOf(c))
      const result = await createOidcClient(r.deps, application, input)
      return created(c, withSecret(c, await respond(result.row), result))
    },
  })
  resource(app, '/oidcClients/:clientId', {
    get: async (c) =>
      c.json(await rendererFor(scope(c, r), oidcClientView, queryOf(c))(await loadClient(c))),
    post: async (c) => {
      const client = await loadClient(c)
      const input = readClientInput(await readJsonObject(c))
      const respond = rendererFor(scope(c, r), oidcClientView, queryOf(c))
      const result = await updateOidcClient(r.deps, client, input)
      return c.json(withSecret(c, await respond(result.row), result))
    },
    delete: async (c) => {
      await deleteOidcClient(r.deps, await loadClient(c))
      return c.body(null, 204)
    },
  })
  resource(app, '/oidcClients/:clientId/secrets', {
    post: async (c) => {
      const { row, secret } = await rotateClientSecret(r.deps, await loadClient(c))
      c.header('Cache-Control', 'no-store')
      return c.json({ clientId: row.id, clientSecret: secret })
    },
  })
  resource(app, '/applications/:id/oidcClient', {
    get: async (c) => {
      const s = scope(c, r)
      const application = await mustFind(s, schema.applications, c.req.param('id')!, 'application')
      const client = await findClientOfApplication(r.deps, application)
      if (!client) {
        throw new EdgepassError('not_found', 'The application has no OpenID Connect client.')
      }
      return c.redirect(r.hrefs.of('oidcClients', client.id), 302)
    },
  })
}

function readClientInput(body: JsonObject): OidcClientInput {
  // The domain re-checks every value at run time; the cast only narrows strings to its enums.
  return readFields(body, clientFields) as OidcClientInput
}

/** Adds a just-issued secret to the representation; such answers must not be cached. */
function withSecret(c: RestContext, json: JsonObject, result: ClientWithSecret): JsonObject {
  if (result.secret === undefined) return json
  c.header('Cache-Control', 'no-store')
  const { href, clientId, ...settings } = json
  return { href, clientId, clientSecret: result.secret, ...settings }
}
