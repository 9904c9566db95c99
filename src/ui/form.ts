import type { Context } from 'hono'
import { EdgepassError } from '../errors'
import { isTokenShaped } from '../security/tokens'
import type { UiContext } from './env'

/** Forms hold a few short fields: 16 KiB is generous, and bounds what a post makes us read. */
export const MAX_FORM_BYTES = 16 * 1024

/** Query parameters a link's token may arrive in: Stormpath's name, and Cloudpass's. */
const TOKEN_PARAMETERS = ['sptoken', 'cpToken'] as const

/** The hidden field a form sends the link's token back in (never the URL of a redirect). */
export const TOKEN_FIELD = 'sptoken'

/**
 * Reads a posted HTML form. Only `application/x-www-form-urlencoded`, what a form without
 * `enctype` sends: anything else is 415.
 */
export async function readForm(c: Context): Promise<URLSearchParams> {
  const type = c.req.header('content-type') ?? ''
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)) {
    throw new EdgepassError('unsupported_media_type', 'This form could not be read.', {
      developerMessage: `Content-Type must be application/x-www-form-urlencoded, got ${JSON.stringify(type.slice(0, 100))}.`,
    })
  }
  return new URLSearchParams(await c.req.text())
}

/** The token of the link that opened the page (`?sptoken=` or `?cpToken=`). */
export function linkTokenOf(c: UiContext): string {
  return linkToken(TOKEN_PARAMETERS.map((name) => c.req.query(name)).find((v) => v !== undefined))
}

/**
 * A value that can be a token, or the invalid-link error: garbage and oversized values never
 * reach a hash or a query.
 */
export function linkToken(value: string | null | undefined): string {
  if (value == null || !isTokenShaped(value)) {
    throw new EdgepassError('not_found', 'This link is invalid or has expired.', {
      developerMessage: 'The token is missing or not token-shaped.',
    })
  }
  return value
}
