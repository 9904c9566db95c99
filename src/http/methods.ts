import type { Handler } from 'hono'
import { EdgepassError } from '../errors'

/**
 * Answers any method a route does not define with 405 and an `Allow` header (RFC 9110 §15.5.6)
 * instead of a misleading 404. Register it with `app.all(path, …)` after the route's handlers.
 *
 * @example
 * app.get('/health', health)
 * app.all('/health', methodNotAllowed(['GET', 'HEAD']))
 */
export function methodNotAllowed(allow: readonly string[]): Handler {
  return (c) => {
    throw new EdgepassError('method_not_allowed', `${c.req.method} is not allowed here.`, {
      allow,
      developerMessage: `${c.req.method} ${c.req.path} is not supported; use ${allow.join(', ')}.`,
    })
  }
}
