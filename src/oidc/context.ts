import type { RequestIdVariables } from '../http/request-id'
import type { RuntimeBindings } from '../rest/context'
import type { TenantRow } from '../store/rows'

/** The tenant an OIDC request speaks for, and its issuer URL (reference §2). */
export interface IssuerContext {
  tenant: TenantRow
  /** `${BASE_URL}/openid` for the default tenant, `${BASE_URL}/t/{nameKey}/openid` otherwise. */
  issuer: string
}

export type OidcEnv = {
  Variables: RequestIdVariables & IssuerContext
  Bindings: RuntimeBindings
}
