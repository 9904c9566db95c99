import { decodeJwt, decodeProtectedHeader } from 'jose'
import { oauthPolicyOf } from '../../stormpath-oauth/policy'
import type { TokenId } from '../../stormpath-oauth/token-ids'
import type { ApplicationRow } from '../../store/rows'
import type { JsonObject } from '../body'
import type { Scope } from '../context'
import type { Hrefs } from '../hrefs'
import { timestamps, type LinkSpec } from './core'

/** `/oAuthPolicies/{applicationId}`: a fixed non-plural href (stormpath-api reference §2 rule 4). */
export const oauthPolicyHref = (hrefs: Hrefs, applicationId: string) =>
  `${hrefs.root}/oAuthPolicies/${encodeURIComponent(applicationId)}`

/** `/accessTokens/{jti}` or `/refreshTokens/{jti}`. */
export const tokenHref = (hrefs: Hrefs, kind: TokenId['kind'], jti: string) =>
  `${hrefs.root}/${kind === 'access' ? 'accessTokens' : 'refreshTokens'}/${encodeURIComponent(jti)}`

/**
 * An application's OAuth policy, as the Node SDK's `OAuthPolicy` reads it. Its timestamps are
 * the application's: the policy is not stored apart from it.
 */
export function renderOAuthPolicy(scope: Scope, application: ApplicationRow): JsonObject {
  const policy = oauthPolicyOf(application.id)
  const applicationHref = scope.hrefs.of('applications', application.id)
  return {
    href: oauthPolicyHref(scope.hrefs, application.id),
    accessTokenTtl: policy.accessTokenTtl,
    refreshTokenTtl: policy.refreshTokenTtl,
    tokenEndpoint: { href: `${applicationHref}/oauth/token` },
    application: { href: applicationHref },
    tenant: { href: scope.hrefs.of('tenants', application.tenantId) },
    ...timestamps(application),
  }
}

/** The application's `oAuthPolicy` link. */
export function oauthPolicyLink(): LinkSpec<ApplicationRow> {
  return {
    kind: 'link',
    href: (scope, row) => oauthPolicyHref(scope.hrefs, row.id),
    expand: async (scope, row) => renderOAuthPolicy(scope, row),
  }
}

/**
 * An access or refresh token resource (§14 rule 2): the JWT, and its parts decoded as
 * `expandedJwt`, which the SDK's `StormpathAccessTokenAuthenticator` reads.
 */
export function renderToken(scope: Scope, id: TokenId, jti: string, jwt: string): JsonObject {
  return {
    href: tokenHref(scope.hrefs, id.kind, jti),
    createdAt: new Date(id.issuedAt * 1000).toISOString(),
    jwt,
    expandedJwt: {
      header: decodeProtectedHeader(jwt),
      claims: decodeJwt(jwt),
      signature: jwt.split('.')[2],
    },
    account: { href: scope.hrefs.of('accounts', id.accountId) },
    application: { href: scope.hrefs.of('applications', id.applicationId) },
    tenant: { href: scope.hrefs.of('tenants', scope.tenantId) },
  }
}
