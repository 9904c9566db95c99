import type { Context } from 'hono'
import type { Deps } from '../deps'
import type { RequestIdVariables } from '../http/request-id'
import type { Hrefs } from './hrefs'

/** Who is calling `/v1`: an administrator of one tenant, by API key or by session cookie. */
export interface Caller {
  tenantId: string
  accountId: string
  via: 'basic' | 'sauthc1' | 'session'
  /** The API key that signed the request (not for sessions): it keys `encryptSecret`. */
  apiKey?: { id: string; secret: string }
}

/** What the runtime entry passes as Hono bindings: the client's address for rate limits. */
export interface RuntimeBindings {
  clientAddress?: string
}

export type RestEnv = {
  Variables: RequestIdVariables & { caller: Caller }
  Bindings: RuntimeBindings
}

/** Everything a view or a route needs to read and render the caller's tenant. */
export interface Scope {
  deps: Deps
  hrefs: Hrefs
  tenantId: string
  caller: Caller
}

export function scopeOf(c: Context<RestEnv>, deps: Deps, hrefs: Hrefs): Scope {
  const caller = c.get('caller')
  return { deps, hrefs, tenantId: caller.tenantId, caller }
}

/** The client's address as the runtime saw it (Bun: the socket; Workers: CF-Connecting-IP). */
export function clientAddressOf(c: Context<RestEnv>): string {
  return c.env?.clientAddress ?? 'unknown'
}
