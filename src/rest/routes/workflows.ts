/**
 * The account workflow endpoints of `/v1` (stormpath-api reference §3, §6, §12): email
 * verification, its resend, password reset tokens, and Cloudpass's password changes.
 */
import * as schema from '../../../db/schema'
import { normaliseEmail } from '../../directory/names'
import {
  changePassword,
  findPasswordReset,
  requestPasswordReset,
  resendVerification,
  resetPassword,
  verifyEmail,
} from '../../directory/workflows'
import { deliverInBackground } from '../../mail/delivery'
import {
  enforceRateLimits,
  MAIL_PER_RECIPIENT,
  PASSWORD_CHANGE_PER_ACCOUNT,
} from '../../security/rate-limit'
import { readJsonObject, type JsonObject } from '../body'
import { readFields, text } from '../fields'
import { rendererFor } from '../views/core'
import { accountView } from '../views/directory'
import { readStoreSelector } from './applications'
import {
  mustFind,
  queryOf,
  resource,
  scope,
  type RestApp,
  type RestContext,
  type RouteDeps,
} from './helpers'

const password = text(1, 1024)

export function workflowRoutes(app: RestApp, r: RouteDeps): void {
  const loadApplication = (c: RestContext) =>
    mustFind(scope(c, r), schema.applications, c.req.param('id')!, 'application')

  // Tenant.verifyAccountEmail posts here, then reads the account at `href` (Location too).
  resource(app, '/accounts/emailVerificationTokens/:token', {
    post: async (c) => {
      const account = await verifyEmail(r.deps, c.req.param('token')!, c.get('caller').tenantId)
      const href = r.hrefs.of('accounts', account.id)
      deliverInBackground(c, r.deps)
      c.header('Location', href)
      return c.json({ href })
    },
  })

  resource(app, '/accounts/:id/passwordChanges', {
    post: async (c) => {
      const account = await mustFind(scope(c, r), schema.accounts, c.req.param('id')!, 'account')
      const input = readFields(
        await readJsonObject(c),
        { currentPassword: password, newPassword: password },
        ['currentPassword', 'newPassword'],
      )
      await enforceRateLimits(r.deps, [
        [`password-change:${account.id}`, PASSWORD_CHANGE_PER_ACCOUNT],
      ])
      await changePassword(r.deps, account, input.currentPassword!, input.newPassword!)
      deliverInBackground(c, r.deps)
      return c.body(null, 204)
    },
  })

  // The Node SDK maps an empty 202 to {accepted: true}; a 204 makes it throw (reference §3).
  resource(app, '/applications/:id/verificationEmails', {
    post: async (c) => {
      const application = await loadApplication(c)
      const body = await readJsonObject(c)
      const input = readFields(body, { login: text(1, 255) }, ['login'])
      const selector = readStoreSelector(r, body.accountStore)
      await enforceRateLimits(r.deps, [
        [`mail:${application.tenantId}:${input.login!.trim().toLowerCase()}`, MAIL_PER_RECIPIENT],
      ])
      await resendVerification(r.deps, application, input.login!, selector)
      deliverInBackground(c, r.deps)
      return c.body(null, 202)
    },
  })

  resource(app, '/applications/:id/passwordResetTokens', {
    post: async (c) => {
      const application = await loadApplication(c)
      const body = await readJsonObject(c)
      const input = readFields(body, { email: text(3, 254) }, ['email'])
      const email = normaliseEmail(input.email!)
      const selector = readStoreSelector(r, body.accountStore)
      // Keyed on the address as given, so unknown addresses are limited exactly like known ones.
      await enforceRateLimits(r.deps, [
        [`mail:${application.tenantId}:${email}`, MAIL_PER_RECIPIENT],
      ])
      const request = await requestPasswordReset(r.deps, application, email, selector)
      deliverInBackground(c, r.deps)
      // The same shape whether or not an account matched: no `account` link, which would tell
      // who has an account. A decoy token is indistinguishable and validates nowhere.
      return c.json({
        href: r.hrefs.of('applications', application.id, 'passwordResetTokens', request.token),
        email,
      })
    },
  })

  resource(app, '/applications/:id/passwordResetTokens/:token', {
    get: async (c) => {
      const application = await loadApplication(c)
      const token = c.req.param('token')!
      const found = await findPasswordReset(r.deps, token, application.id)
      return c.json({
        href: r.hrefs.of('applications', application.id, 'passwordResetTokens', token),
        email: found.account.email,
        account: { href: r.hrefs.of('accounts', found.account.id) },
      })
    },
    post: async (c) => {
      const s = scope(c, r)
      const application = await loadApplication(c)
      const respond = accountResponder(s, queryOf(c))
      const input = readFields(await readJsonObject(c), { password }, ['password'])
      const account = await resetPassword(
        r.deps,
        c.req.param('token')!,
        input.password!,
        application.id,
      )
      deliverInBackground(c, r.deps)
      return c.json({ account: await respond(account) })
    },
  })
}

/**
 * `{account: …}` responses: a link, or the account itself with `?expand=account` (the SDK's
 * `resetPassword` asks for it).
 */
function accountResponder(
  s: ReturnType<typeof scope>,
  query: URLSearchParams,
): (account: typeof schema.accounts.$inferSelect) => Promise<JsonObject> {
  const expand = (query.get('expand') ?? '').split(',').map((name) => name.trim())
  if (!expand.includes('account')) {
    return async (account) => ({ href: s.hrefs.of('accounts', account.id) })
  }
  const render = rendererFor(s, accountView, new URLSearchParams())
  return render
}
