import type { MiddlewareHandler } from 'hono'

/** Stormpath's header name; its SDKs and Cloudpass users look for it on every response. */
export const REQUEST_ID_HEADER = 'Stormpath-Request-Id'

export type RequestIdVariables = { requestId: string }

/**
 * Gives every request a fresh UUID, exposed as `c.get('requestId')` and on the response.
 * An id sent by the client is not reused: it would let callers forge log correlation.
 */
export function requestId(): MiddlewareHandler<{ Variables: RequestIdVariables }> {
  return async (c, next) => {
    const id = crypto.randomUUID()
    c.set('requestId', id)
    await next()
    c.res.headers.set(REQUEST_ID_HEADER, id)
  }
}
