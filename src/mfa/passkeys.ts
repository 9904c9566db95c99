/**
 * Passkeys (WebAuthn, @simplewebauthn/server): registered per account (named, listed,
 * removable), used as a second factor and as a passwordless first factor (discoverable
 * credentials). The relying party is `BASE_URL`: its host is the RP id, its origin the only
 * origin accepted. Each ceremony's challenge is a database row with an expiry, deleted by the
 * one request that uses it, so a response cannot be replayed. A second-factor assertion must
 * come from a passkey of the account that passed its password.
 */
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server'
import { and, asc, eq, gt, sql } from 'drizzle-orm'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import { EdgepassError } from '../errors'
import { base64Decode, base64UrlEncode, utf8 } from '../security/encoding'
import type { PasskeyRow, WebauthnChallengeRow } from '../store/rows'
import { activeFactors } from './factors'

type PasskeyDeps = Pick<Deps, 'db' | 'now' | 'newId' | 'config'>

/** Five minutes to touch the authenticator, as browsers time the ceremony out too. */
const CHALLENGE_TTL_MS = 5 * 60_000
const MAX_PASSKEYS = 20
const MAX_NAME = 100

/** The relying party: `BASE_URL`'s host and origin. */
export function relyingPartyOf(deps: Pick<Deps, 'config'>): { rpID: string; origin: string } {
  const url = new URL(deps.config.baseUrl)
  return { rpID: url.hostname, origin: url.origin }
}

/** A ceremony's options with the id of its challenge row, which the answer must name. */
export interface Ceremony<Options> {
  challengeId: string
  options: Options
}

/**
 * Options for registering a new passkey of `account` (its existing ones excluded, so the same
 * authenticator is not registered twice).
 *
 * @example
 * const { challengeId, options } = await startPasskeyRegistration(deps, account, 'Acme')
 */
export async function startPasskeyRegistration(
  deps: PasskeyDeps,
  account: { tenantId: string; id: string; username: string; email: string },
  rpName: string,
): Promise<Ceremony<PublicKeyCredentialCreationOptionsJSON>> {
  const existing = await listPasskeys(deps, account.tenantId, account.id)
  if (existing.length >= MAX_PASSKEYS) {
    throw new EdgepassError('invalid_value', `An account has at most ${MAX_PASSKEYS} passkeys.`)
  }
  const options = await generateRegistrationOptions({
    rpName,
    rpID: relyingPartyOf(deps).rpID,
    userName: account.username,
    userDisplayName: account.email,
    userID: utf8(account.id),
    attestationType: 'none',
    excludeCredentials: existing.map((passkey) => ({
      id: passkey.credentialId,
      transports: JSON.parse(passkey.transports) as string[],
    })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
  })
  const challengeId = await storeChallenge(
    deps,
    account.tenantId,
    'registration',
    account.id,
    options.challenge,
  )
  return { challengeId, options }
}

/** What a registration or an assertion came to. */
export type PasskeyOutcome<T> = { kind: 'ok'; value: T } | { kind: 'refused'; reason: string }

/**
 * Verifies the browser's answer to a registration and stores the passkey under `name`.
 *
 * @example
 * const outcome = await finishPasskeyRegistration(deps, account, { challengeId, response, name: 'Laptop' })
 */
export async function finishPasskeyRegistration(
  deps: PasskeyDeps,
  account: { tenantId: string; id: string },
  input: { challengeId: string; response: unknown; name: string },
): Promise<PasskeyOutcome<PasskeyRow>> {
  const challenge = await takeChallenge(deps, account.tenantId, input.challengeId, 'registration')
  if (!challenge || challenge.accountId !== account.id) {
    return { kind: 'refused', reason: 'The registration has expired; start again.' }
  }
  const { rpID, origin } = relyingPartyOf(deps)
  let verification: Awaited<ReturnType<typeof verifyRegistrationResponse>>
  try {
    verification = await verifyRegistrationResponse({
      response: input.response as RegistrationResponseJSON,
      expectedChallenge: challenge.challenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      requireUserVerification: false,
    })
  } catch (error) {
    return { kind: 'refused', reason: describeFailure(error) }
  }
  if (!verification.verified)
    return { kind: 'refused', reason: 'The passkey could not be verified.' }
  const info = verification.registrationInfo
  const now = deps.now()
  const row: PasskeyRow = {
    id: deps.newId(),
    tenantId: account.tenantId,
    accountId: account.id,
    credentialId: info.credential.id,
    publicKey: base64UrlEncode(info.credential.publicKey),
    counter: info.credential.counter,
    transports: JSON.stringify(info.credential.transports ?? []),
    deviceType: info.credentialDeviceType,
    backedUp: info.credentialBackedUp,
    name: passkeyName(input.name),
    lastUsedAt: null,
    createdAt: now,
    modifiedAt: now,
  }
  try {
    await deps.db.insert(schema.passkeys).values(row)
  } catch {
    return { kind: 'refused', reason: 'This passkey is registered already.' }
  }
  return { kind: 'ok', value: row }
}

/**
 * Options for an assertion: by the passkeys of `accountId` (second factor), or by any
 * discoverable passkey of the tenant (passwordless sign-in, `accountId` null).
 */
export async function startPasskeyAuthentication(
  deps: PasskeyDeps,
  tenantId: string,
  accountId: string | null,
): Promise<Ceremony<PublicKeyCredentialRequestOptionsJSON>> {
  const allowed = accountId ? await listPasskeys(deps, tenantId, accountId) : []
  const options = await generateAuthenticationOptions({
    rpID: relyingPartyOf(deps).rpID,
    allowCredentials: allowed.map((passkey) => ({
      id: passkey.credentialId,
      transports: JSON.parse(passkey.transports) as string[],
    })),
    userVerification: 'preferred',
  })
  const challengeId = await storeChallenge(
    deps,
    tenantId,
    'authentication',
    accountId,
    options.challenge,
  )
  return { challengeId, options }
}

/** An assertion that passed: whose passkey, and whether the user was verified (PIN, biometrics). */
export interface PasskeyAssertion {
  passkey: PasskeyRow
  userVerified: boolean
}

/**
 * Verifies an assertion against its challenge. A challenge issued for an account accepts only
 * that account's passkeys; the signature counter must move forward when the authenticator keeps
 * one (a clone otherwise); the challenge is spent whatever the outcome.
 */
export async function finishPasskeyAuthentication(
  deps: PasskeyDeps,
  tenantId: string,
  input: { challengeId: string; response: unknown },
): Promise<PasskeyOutcome<PasskeyAssertion>> {
  const challenge = await takeChallenge(deps, tenantId, input.challengeId, 'authentication')
  if (!challenge) return { kind: 'refused', reason: 'The sign-in has expired; try again.' }
  const response = input.response as AuthenticationResponseJSON
  const credentialId = typeof response?.id === 'string' ? response.id : ''
  if (credentialId === '' || credentialId.length > 1024)
    return { kind: 'refused', reason: 'Unknown passkey.' }
  const { passkeys: p } = schema
  const passkey = await deps.db
    .select()
    .from(p)
    .where(and(eq(p.tenantId, tenantId), eq(p.credentialId, credentialId)))
    .get()
  // A passkey of another account than the one that passed its password is as unknown as none.
  if (!passkey || (challenge.accountId !== null && passkey.accountId !== challenge.accountId)) {
    return { kind: 'refused', reason: 'Unknown passkey.' }
  }
  const { rpID, origin } = relyingPartyOf(deps)
  let verification: Awaited<ReturnType<typeof verifyAuthenticationResponse>>
  try {
    verification = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge.challenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      credential: {
        id: passkey.credentialId,
        publicKey: base64Decode(passkey.publicKey),
        counter: passkey.counter,
        transports: JSON.parse(passkey.transports),
      },
      requireUserVerification: false,
    })
  } catch (error) {
    return { kind: 'refused', reason: describeFailure(error) }
  }
  if (!verification.verified)
    return { kind: 'refused', reason: 'The passkey could not be verified.' }
  const info = verification.authenticationInfo
  // Counters only move forward: a conditional update, so two uses of one response cannot both pass.
  const [updated] = await deps.db
    .update(p)
    .set({
      counter: info.newCounter,
      backedUp: info.credentialBackedUp,
      lastUsedAt: deps.now(),
      modifiedAt: deps.now(),
    })
    .where(
      and(
        eq(p.id, passkey.id),
        info.newCounter === 0 ? sql`1 = 1` : sql`${p.counter} < ${info.newCounter}`,
      ),
    )
    .returning()
  if (!updated) return { kind: 'refused', reason: 'The passkey could not be verified.' }
  return { kind: 'ok', value: { passkey: updated, userVerified: info.userVerified } }
}

/** The account's passkeys, oldest first. */
export function listPasskeys(
  deps: Pick<Deps, 'db'>,
  tenantId: string,
  accountId: string,
): Promise<PasskeyRow[]> {
  const { passkeys: p } = schema
  return deps.db
    .select()
    .from(p)
    .where(and(eq(p.tenantId, tenantId), eq(p.accountId, accountId)))
    .orderBy(asc(p.createdAt), asc(p.id))
    .all()
}

/** Deletes one passkey of the account; false when there was none by that id. */
export async function deletePasskey(
  deps: Pick<Deps, 'db'>,
  tenantId: string,
  accountId: string,
  passkeyId: string,
): Promise<boolean> {
  const { passkeys: p } = schema
  const deleted = await deps.db
    .delete(p)
    .where(and(eq(p.id, passkeyId), eq(p.tenantId, tenantId), eq(p.accountId, accountId)))
    .returning({ id: p.id })
  return deleted.length === 1
}

async function storeChallenge(
  deps: PasskeyDeps,
  tenantId: string,
  purpose: WebauthnChallengeRow['purpose'],
  accountId: string | null,
  challenge: string,
): Promise<string> {
  const now = deps.now()
  const row: WebauthnChallengeRow = {
    id: deps.newId(),
    tenantId,
    purpose,
    accountId,
    challenge,
    createdAt: now,
    expiresAt: new Date(now.getTime() + CHALLENGE_TTL_MS),
  }
  const { webauthnChallenges: w } = schema
  await deps.db.batch([
    // Housekeeping: expired challenges of the tenant go as new ones come.
    deps.db.delete(w).where(and(eq(w.tenantId, tenantId), sql`${w.expiresAt} < ${now.getTime()}`)),
    deps.db.insert(w).values(row),
  ])
  return row.id
}

/** Deletes and answers a live challenge: the one request that names it gets it. */
async function takeChallenge(
  deps: PasskeyDeps,
  tenantId: string,
  challengeId: string,
  purpose: WebauthnChallengeRow['purpose'],
): Promise<WebauthnChallengeRow | undefined> {
  if (typeof challengeId !== 'string' || challengeId.length === 0 || challengeId.length > 64) {
    return undefined
  }
  const { webauthnChallenges: w } = schema
  const [row] = await deps.db
    .delete(w)
    .where(
      and(
        eq(w.id, challengeId),
        eq(w.tenantId, tenantId),
        eq(w.purpose, purpose),
        gt(w.expiresAt, deps.now()),
      ),
    )
    .returning()
  return row
}

function passkeyName(name: string): string {
  const trimmed = name.trim().slice(0, MAX_NAME)
  return trimmed === '' ? 'Passkey' : trimmed
}

/** simplewebauthn's messages say what failed (origin, challenge, signature): fine to show. */
function describeFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : ''
  return message.length > 0 && message.length < 300 ? message : 'The passkey could not be verified.'
}

/**
 * Whether the account has a second factor: an active TOTP factor or a passkey. (An LDAP bind
 * can only carry a TOTP code; sign-in pages accept either.)
 *
 * @example
 * if (!(await hasSecondFactor(deps, tenant.id, account.id)) && tenant.mandatoryMfa) enrol()
 */
export async function hasSecondFactor(
  deps: Pick<Deps, 'db'>,
  tenantId: string,
  accountId: string,
): Promise<boolean> {
  const [totp, passkeys] = await Promise.all([
    activeFactors(deps, tenantId, accountId),
    listPasskeys(deps, tenantId, accountId),
  ])
  return totp.length > 0 || passkeys.length > 0
}
