import { Hono } from 'hono'
import pkg from '../../package.json'
import type { Deps } from '../deps'
import { EdgepassError } from '../errors'
import { describeError } from '../log'
import { pingDatabase } from '../store/db'
import { methodNotAllowed } from './methods'
import type { RequestIdVariables } from './request-id'

export const VERSION: string = pkg.version

/**
 * Operational endpoints, outside every face and unauthenticated:
 * `GET /health` (the process answers), `GET /ready` (the database answers too, for load
 * balancers and orchestrators) and `GET /version`.
 */
export function platformRoutes(deps: Deps) {
  const app = new Hono<{ Variables: RequestIdVariables }>()
  const getOnly = methodNotAllowed(['GET', 'HEAD'])

  app.get('/health', (c) => c.json({ status: 'ok' }))
  app.all('/health', getOnly)

  app.get('/ready', async (c) => {
    try {
      await pingDatabase(deps.db)
    } catch (error) {
      deps.log.error('database not ready', {
        requestId: c.get('requestId'),
        ...describeError(error),
      })
      throw new EdgepassError('unavailable', 'The service is not ready.', {
        developerMessage: 'The database did not answer.',
      })
    }
    return c.json({ status: 'ready' })
  })
  app.all('/ready', getOnly)

  app.get('/version', (c) => c.json({ name: pkg.name, version: VERSION, runtime: deps.runtime }))
  app.all('/version', getOnly)

  return app
}
