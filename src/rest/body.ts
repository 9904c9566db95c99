import type { Context } from 'hono'
import { EdgepassError } from '../errors'

/** Deeper nesting than this is refused: no legitimate resource needs it, parsers choke on it. */
export const MAX_JSON_DEPTH = 32

export type JsonObject = Record<string, unknown>

/**
 * Reads a JSON object body. 415/1101 without `Content-Type: application/json` (a charset suffix
 * is fine); 400 for malformed JSON, a non-object, or nesting deeper than {@link MAX_JSON_DEPTH}.
 * An empty body reads as `{}` (e.g. `POST /accounts/{id}/apiKeys` with no body).
 */
export async function readJsonObject(c: Context): Promise<JsonObject> {
  const text = await c.req.text()
  if (text.trim() === '') return {}
  const type = c.req.header('content-type') ?? ''
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new EdgepassError('unsupported_media_type', 'The request body must be JSON.', {
      developerMessage: `Content-Type must be application/json, got ${JSON.stringify(type.slice(0, 100))}.`,
    })
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new EdgepassError('malformed_request', 'The request body is not valid JSON.', {
      developerMessage: error instanceof Error ? error.message : 'invalid JSON',
    })
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new EdgepassError('malformed_request', 'The request body must be a JSON object.')
  }
  if (depthOf(value) > MAX_JSON_DEPTH) {
    throw new EdgepassError('malformed_request', 'The request body is nested too deeply.', {
      developerMessage: `JSON nesting is limited to ${MAX_JSON_DEPTH} levels.`,
    })
  }
  return value as JsonObject
}

/** Iterative, so hostile nesting cannot overflow the stack while being measured. */
function depthOf(root: unknown): number {
  let max = 0
  const stack: [unknown, number][] = [[root, 1]]
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!
    if (typeof value !== 'object' || value === null) continue
    max = Math.max(max, depth)
    if (max > MAX_JSON_DEPTH) return max
    for (const child of Object.values(value)) stack.push([child, depth + 1])
  }
  return max
}
