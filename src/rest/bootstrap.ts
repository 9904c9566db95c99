import { and, eq } from 'drizzle-orm'
import { Hono, type Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import { attemptLogin, loginError } from '../directory/login'
import { findTenantByKey, registerTenant } from '../directory/tenants'
import { EdgepassError } from '../errors'
import { methodNotAllowed } from '../http/methods'
import {
  enforceRateLimits,
  LOGIN_PER_ACCOUNT,
  LOGIN_PER_ADDRESS,
  REGISTRATION_PER_ADDRESS,
} from '../security/rate-limit'
import { readJsonObject } from './body'
import { clientAddressOf, type RestEnv } from './context'
import { endSession, startSession } from './sessions'

/** Fields no human fills in: bots that fill every input give themselves away (Cloudpass). */
const HONEYPOTS = [
  'first_name',
  'last_name',
  'email_address',
  'company_name',
  'user_password',
  'confirm_password',
]
const MAX_FIELD_LENGTH = 1024
/** Names are held to the limits `/v1` applies to accounts (`accountFields`), so none escapes them. */
const MAX_LENGTHS: Record<string, number> = { givenName: 255, surname: 255 }
/** Five short fields fit many times over; forms are parsed in memory, so cap what is read. */
const MAX_BODY_BYTES = 64 * 1024

/**
 * Cloudpass's getting-started, at the root: `POST /registration` creates a tenant and its first
 * administrator, `POST /login` opens a management session (cookie), `GET /logout` ends it.
 * Forms (`application/x-www-form-urlencoded`, `multipart/form-data`) and JSON are accepted.
 */
export function bootstrapRoutes(deps: Deps) {
  const app = new Hono<RestEnv>()
  // Per route: a catch-all `use` here would run for every path of the app mounting this one.
  const limitBody = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new EdgepassError('payload_too_large', 'The request body is too large.', {
        developerMessage: `Request bodies are limited to ${MAX_BODY_BYTES} bytes here.`,
      })
    },
  })

  app.post('/registration', limitBody, async (c) => {
    await enforceRateLimits(deps, [
      [`registration:address:${clientAddressOf(c)}`, REGISTRATION_PER_ADDRESS],
    ])
    const form = await readForm(c)
    const field = requiredFields(form, [
      'tenantNameKey',
      'email',
      'givenName',
      'surname',
      'password',
    ])
    await registerTenant(deps, {
      tenantNameKey: field.tenantNameKey,
      email: field.email,
      givenName: field.givenName,
      surname: field.surname,
      password: field.password,
    })
    return c.body(null, 204)
  })
  app.all('/registration', methodNotAllowed(['POST']))

  app.post('/login', limitBody, async (c) => {
    const field = requiredFields(withLoginAlias(await readForm(c)), [
      'tenantNameKey',
      'email',
      'password',
    ])
    // Normalised before counting: `" Acme"` and `"acme"` are one tenant, so one counter.
    const tenantKey = field.tenantNameKey.trim().toLowerCase()
    const login = field.email.trim().toLowerCase()
    await enforceRateLimits(deps, [
      [`login:address:${clientAddressOf(c)}`, LOGIN_PER_ADDRESS],
      [`login:account:${tenantKey}:${login}`, LOGIN_PER_ACCOUNT],
    ])
    const tenant = await findTenantByKey(deps, tenantKey)
    const application = tenant
      ? await deps.db
          .select()
          .from(schema.applications)
          .where(
            and(eq(schema.applications.tenantId, tenant.id), eq(schema.applications.isAdmin, true)),
          )
          .get()
      : undefined
    if (!tenant || !application) {
      // An unknown tenant answers like an unknown account, after the same hashing work.
      await deps.passwords.verifyDummy(field.password)
      throw loginError('login_no_account')
    }
    const outcome = await attemptLogin(deps, tenant, application, login, field.password, {
      kind: 'all',
    })
    // User enumeration: every refusal (wrong password, disabled, locked…) answers as an unknown
    // account does, whatever the tenant's `genericLoginErrors`: this form is open to anyone.
    if (outcome.kind === 'refused') throw loginError('login_no_account')
    await startSession(c, deps, tenant.id, outcome.account.id)
    return c.body(null, 204)
  })
  app.all('/login', methodNotAllowed(['POST']))

  const logout = async (c: Context<RestEnv>) => {
    await endSession(c, deps)
    return c.body(null, 204)
  }
  app.get('/logout', logout)
  app.post('/logout', logout)
  app.all('/logout', methodNotAllowed(['GET', 'HEAD', 'POST']))
  return app
}

type Form = Record<string, unknown>

async function readForm(c: Context<RestEnv>): Promise<Form> {
  const type = c.req.header('content-type') ?? ''
  if (/^application\/json/i.test(type)) return readJsonObject(c)
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) {
    throw new EdgepassError('unsupported_media_type', 'Send the fields as a form or as JSON.', {
      developerMessage: `Content-Type must be application/x-www-form-urlencoded, multipart/form-data or application/json, got ${JSON.stringify(type.slice(0, 100))}.`,
    })
  }
  try {
    return await c.req.parseBody()
  } catch {
    throw new EdgepassError('malformed_request', 'The form could not be read.')
  }
}

/**
 * Cloudpass's form names the login `email`; the README's curl (and Stormpath's login attempts)
 * say `username`. Either is accepted: an administrator's username is their email.
 */
function withLoginAlias(form: Form): Form {
  return isMissing(form.email) && !isMissing(form.username)
    ? { ...form, email: form.username }
    : form
}

/** Absent, empty, or JSON `null`: all mean the field was not given. */
const isMissing = (value: unknown) => value === undefined || value === null || value === ''

function requiredFields<const K extends string>(
  form: Form,
  names: readonly K[],
): Record<K, string> {
  for (const honeypot of HONEYPOTS) {
    if (form[honeypot] !== undefined && form[honeypot] !== '') {
      throw new EdgepassError('spam_detected', 'Spam detected.', { field: honeypot })
    }
  }
  const fields = {} as Record<K, string>
  for (const name of names) {
    const value = form[name]
    if (isMissing(value))
      throw new EdgepassError('required', `${name} is required.`, { field: name })
    if (typeof value !== 'string')
      throw new EdgepassError('wrong_type', `${name} must be text.`, { field: name })
    if (value.length > (MAX_LENGTHS[name] ?? MAX_FIELD_LENGTH))
      throw new EdgepassError('too_long', `${name} is too long.`, { field: name })
    fields[name] = value
  }
  return fields
}
