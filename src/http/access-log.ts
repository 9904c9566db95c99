import type { MiddlewareHandler } from 'hono'
import type { Logger } from '../log'
import type { RequestIdVariables } from './request-id'

/**
 * One structured log line per request: method, path, status, duration and request id. The
 * query string is left out on purpose (it may carry tokens, e.g. `?sptoken=`), and so are
 * headers and bodies.
 */
export function accessLog(log: Logger): MiddlewareHandler<{ Variables: RequestIdVariables }> {
  return async (c, next) => {
    const started = performance.now()
    await next()
    log.info('request', {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      requestId: c.get('requestId'),
    })
  }
}
