/**
 * The OIDC pages' forms: the CSRF double-submit token of `src/ui/csrf.ts`, its cookie scoped to
 * the issuer's path (each tenant's pages keep their own), and posted forms read within a size
 * bound and refused without the token.
 */
import type { Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { Deps } from '../../deps'
import { EdgepassError } from '../../errors'
import { checkCsrf, issueCsrfToken } from '../../ui/csrf'
import { MAX_FORM_BYTES, readForm } from '../../ui/form'
import type { OidcEnv } from '../context'

export { CSRF_FIELD } from '../../ui/csrf'

const limitBody = bodyLimit({
  maxSize: MAX_FORM_BYTES,
  onError: () => {
    throw new EdgepassError('payload_too_large', 'The form is too large.', {
      developerMessage: `Form bodies are limited to ${MAX_FORM_BYTES} bytes.`,
    })
  },
})

/**
 * The CSRF token for the forms of a page about to be shown (also set as the cookie).
 *
 * @example
 * <input type="hidden" name={CSRF_FIELD} value={issuePageCsrfToken(c, deps)} />
 */
export function issuePageCsrfToken(c: Context<OidcEnv>, deps: Pick<Deps, 'config'>): string {
  return issueCsrfToken(c, deps.config.baseUrl, new URL(c.get('issuer')).pathname)
}

/**
 * A posted form: `application/x-www-form-urlencoded` (else 415), at most 16 KiB (else 413), with
 * the CSRF cookie and field equal and no foreign `Origin` or `Sec-Fetch-Site` (else 403).
 *
 * @example
 * const form = await readPostedForm(c, deps)
 */
export async function readPostedForm(
  c: Context<OidcEnv>,
  deps: Pick<Deps, 'config'>,
): Promise<URLSearchParams> {
  let form = new URLSearchParams()
  await limitBody(c, async () => {
    form = await readForm(c)
  })
  checkCsrf(c, form, deps.config.baseUrl)
  return form
}
