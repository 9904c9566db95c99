import type { RequestIdVariables } from '../http/request-id'
import type { RuntimeBindings } from '../rest/context'
import type { TenantRow } from '../store/rows'

/** What identifies an issuer's tenant; neither ever changes. Read other fields fresh. */
export type IssuerTenant = Pick<TenantRow, 'id' | 'nameKey'>

/** The tenant an OIDC request speaks for, and its issuer URL (reference §2). */
export interface IssuerContext {
  tenant: IssuerTenant
  /** `${BASE_URL}/openid` for the default tenant, `${BASE_URL}/t/{nameKey}/openid` otherwise. */
  issuer: string
}

export type OidcEnv = {
  Variables: RequestIdVariables & IssuerContext
  Bindings: RuntimeBindings
}
