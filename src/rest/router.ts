import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { Deps } from '../deps'
import { EdgepassError, notFound } from '../errors'
import { authenticateApi } from './auth'
import type { RestEnv } from './context'
import { createHrefs } from './hrefs'
import { accountRoutes } from './routes/accounts'
import { applicationRoutes } from './routes/applications'
import { customDataRoutes } from './routes/custom-data'
import { directoryRoutes, tenantRoutes } from './routes/directories'
import { externalDirectoryRoutes } from './routes/external-directories'
import { emailTemplateRoutes } from './routes/email-templates'
import { factorRoutes } from './routes/factors'
import { ldapSettingsRoutes } from './routes/ldap-settings'
import { passkeyRoutes } from './routes/passkeys'
import { oidcClientRoutes } from './routes/oidc-clients'
import { oidcSessionRoutes } from './routes/oidc-sessions'
import { outboxRoutes } from './routes/outbox'
import { policyRoutes } from './routes/policies'
import { signingKeyRoutes } from './routes/signing-keys'
import { stormpathOAuthRoutes } from './routes/stormpath-oauth'
import { workflowRoutes } from './routes/workflows'

/** Stormpath allowed custom data up to 10 MB (error 3004); no `/v1` body may be larger. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024

/**
 * The Stormpath-compatible REST API under `/v1`: body size limit, API authentication, the resources, and a Stormpath 404 for unknown routes.
 */
export function restRoutes(deps: Deps) {
  const v1 = new Hono<RestEnv>()
  const r = { deps, hrefs: createHrefs(deps.config.baseUrl) }
  v1.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new EdgepassError('payload_too_large', 'The request body is too large.', {
          developerMessage: `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`,
        })
      },
    }),
  )
  v1.use(authenticateApi(deps))
  tenantRoutes(v1, r)
  directoryRoutes(v1, r)
  externalDirectoryRoutes(v1, r)
  accountRoutes(v1, r)
  applicationRoutes(v1, r)
  customDataRoutes(v1, r)
  policyRoutes(v1, r)
  workflowRoutes(v1, r)
  emailTemplateRoutes(v1, r)
  outboxRoutes(v1, r)
  oidcClientRoutes(v1, r)
  factorRoutes(v1, r)
  passkeyRoutes(v1, r)
  ldapSettingsRoutes(v1, r)
  signingKeyRoutes(v1, r)
  oidcSessionRoutes(v1, r)
  stormpathOAuthRoutes(v1, r)
  v1.all('*', (c) => {
    throw notFound(c.req.path)
  })
  return v1
}
