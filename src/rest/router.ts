import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { Deps } from '../deps'
import { EdgepassError, notFound } from '../errors'
import type { RequestIdVariables } from '../http/request-id'

/** Stormpath allowed custom data up to 10 MB (error 3004); no `/v1` body may be larger. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024

/**
 * The Stormpath-compatible REST API under `/v1`. Resources arrive with issue "Directory core";
 * this is the shell they mount into: body size limit and a Stormpath 404 for unknown routes.
 */
export function restRoutes(_deps: Deps) {
  const v1 = new Hono<{ Variables: RequestIdVariables }>()
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
  v1.all('*', (c) => {
    throw notFound(c.req.path)
  })
  return v1
}
