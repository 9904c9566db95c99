import { Hono } from 'hono'
import { EdgepassError } from '../errors'
import type { RequestIdVariables } from '../http/request-id'

/**
 * What each Stormpath error code means, served at `moreInfo` (`GET /errors/{code}`), so the link
 * in every error body leads somewhere useful instead of to Stormpath's retired site.
 */
export const ERROR_DOCS: Record<number, { title: string; description: string }> = {
  400: {
    title: 'Bad request',
    description: 'The request could not be read: malformed JSON, encoding or query syntax.',
  },
  404: {
    title: 'Not found',
    description: 'No resource exists at this address, or it belongs to another tenant.',
  },
  413: {
    title: 'Payload too large',
    description: 'The request body exceeds the size this endpoint accepts.',
  },
  500: {
    title: 'Internal error',
    description: 'Something unexpected failed. Quote the requestId when reporting it.',
  },
  503: {
    title: 'Service unavailable',
    description: 'The service or its database is not ready, or the deployment is misconfigured.',
  },
  1100: {
    title: 'Method not supported',
    description: 'The HTTP method is not supported for this resource; see the Allow header.',
  },
  1101: {
    title: 'Unsupported media type',
    description: 'The request body must be sent with Content-Type: application/json.',
  },
}

export function errorDocsRoutes() {
  const app = new Hono<{ Variables: RequestIdVariables }>()
  app.get('/errors/:code', (c) => {
    const code = Number(c.req.param('code'))
    const doc = ERROR_DOCS[code]
    if (!doc) throw new EdgepassError('not_found', 'There is no such error code.')
    return c.json({ code, ...doc })
  })
  return app
}
