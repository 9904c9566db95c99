/**
 * A directory whose provider is `oidc` (issue "Authentication framework", item 4; Stormpath's
 * social and SAML directories' analogue): an upstream OpenID Connect provider whose users sign
 * in through Edgepass's hosted login ("Sign in with …") and are kept in this directory.
 */
import * as v from 'valibot'
import { EdgepassError } from '../../errors'

export interface UpstreamSettings {
  kind: 'oidc'
  issuer: string
  clientId: string
  scopes: string[]
  /** The claim listing the user's groups (default `groups`). */
  groupsClaim: string
  /** Create the account at first sign-in (default true). */
  autoRegister: boolean
  /** At least one of these groups is needed to sign in (checked before anything is written). */
  mandatoryGroups: string[]
  /** The button's text on the hosted login: "Sign in with {buttonLabel}". */
  buttonLabel: string
}

const httpUrl = v.pipe(
  v.string(),
  v.trim(),
  v.maxLength(1024),
  v.check((value) => {
    try {
      const url = new URL(value)
      return (url.protocol === 'https:' || url.protocol === 'http:') && !url.search && !url.hash
    } catch {
      return false
    }
  }, 'must be the issuer URL, e.g. https://accounts.google.com'),
)

const name = v.pipe(
  v.string(),
  v.trim(),
  v.minLength(1),
  v.maxLength(255),
  v.regex(/^[^\0-\x1f]*$/),
)

export const UPSTREAM_FIELDS = {
  issuer: httpUrl,
  clientId: name,
  clientSecret: v.pipe(v.string(), v.maxLength(1024)),
  scopes: v.pipe(
    v.array(v.pipe(v.string(), v.regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,64}$/))),
    v.maxLength(20),
  ),
  groupsClaim: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.:-]{1,64}$/)),
  autoRegister: v.boolean(),
  mandatoryGroups: v.pipe(v.array(name), v.maxLength(50)),
  buttonLabel: name,
}

export type UpstreamInput = Partial<{
  [K in keyof typeof UPSTREAM_FIELDS]: v.InferOutput<(typeof UPSTREAM_FIELDS)[K]>
}>

/** Applies `input` to `current` (or the defaults); `clientSecret` is sealed apart. */
export function resolveUpstreamSettings(
  input: UpstreamInput,
  current: UpstreamSettings | undefined,
): UpstreamSettings {
  const issuer = input.issuer ?? current?.issuer
  const clientId = input.clientId ?? current?.clientId
  if (!issuer)
    throw new EdgepassError('required', 'provider.issuer is required.', { field: 'issuer' })
  if (!clientId)
    throw new EdgepassError('required', 'provider.clientId is required.', { field: 'clientId' })
  const scopes = input.scopes ?? current?.scopes ?? ['openid', 'email', 'profile']
  if (!scopes.includes('openid')) {
    throw new EdgepassError('invalid_value', 'provider.scopes must include openid.', {
      field: 'scopes',
    })
  }
  return {
    kind: 'oidc',
    issuer: issuer.replace(/\/+$/, ''),
    clientId,
    scopes,
    groupsClaim: input.groupsClaim ?? current?.groupsClaim ?? 'groups',
    autoRegister: input.autoRegister ?? current?.autoRegister ?? true,
    mandatoryGroups: input.mandatoryGroups ?? current?.mandatoryGroups ?? [],
    buttonLabel: input.buttonLabel ?? current?.buttonLabel ?? new URL(issuer).hostname,
  }
}
