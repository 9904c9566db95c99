import type { Context } from 'hono'
import type { SecureHeadersVariables } from 'hono/secure-headers'
import type { RequestIdVariables } from '../http/request-id'
import type { RuntimeBindings } from '../rest/context'

/** The hosted pages' Hono environment: the request id, and the CSP nonce of the page's style. */
export type UiEnv = {
  Variables: RequestIdVariables & SecureHeadersVariables
  Bindings: RuntimeBindings
}

export type UiContext = Context<UiEnv>
