/**
 * TOTP (RFC 6238) as authenticator apps implement it, and as Stormpath's `google-authenticator`
 * factor specified it: HMAC-SHA-1, 6 digits, 30-second steps, a 160-bit seed (RFC 4226 §4 R6)
 * in base32. A code is accepted within one step either side of now (clock drift), and then
 * never again: the caller stores the accepted step and refuses any step not after it.
 */
import { Secret, TOTP } from 'otpauth'

export const TOTP_DIGITS = 6
export const TOTP_PERIOD_SECONDS = 30
/** Steps accepted either side of the current one. */
export const TOTP_WINDOW = 1
const SEED_BYTES = 20

/**
 * A new seed, base32 without padding (what authenticator apps take).
 *
 * @example
 * newTotpSecret() // 'JBSWY3DPEHPK3PXP…' (32 characters)
 */
export function newTotpSecret(): string {
  return new Secret({ size: SEED_BYTES }).base32
}

function totpOf(secret: string, label = 'account', issuer = ''): TOTP {
  return new TOTP({
    issuer,
    label,
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    secret: Secret.fromBase32(secret),
  })
}

/**
 * The `otpauth://totp/…` URI an authenticator app scans (Key Uri Format: `issuer:accountName`
 * as the label, `issuer` as a parameter too).
 *
 * @example
 * totpKeyUri({ secret, issuer: 'Acme', accountName: 'ada@example.com' })
 * // 'otpauth://totp/Acme:ada%40example.com?issuer=Acme&secret=…&algorithm=SHA1&digits=6&period=30'
 */
export function totpKeyUri(input: { secret: string; issuer: string; accountName: string }) {
  return totpOf(input.secret, input.accountName, input.issuer).toString()
}

/** The time step of `at`. */
export function totpStep(at: Date): number {
  return Math.floor(at.getTime() / 1000 / TOTP_PERIOD_SECONDS)
}

/**
 * The time step `code` belongs to, when it is the code of a step within {@link TOTP_WINDOW} of
 * `now`; undefined for anything else (wrong, stale, malformed). Replay is the caller's check.
 *
 * @example
 * const step = matchTotp(secret, '492039', new Date())
 * if (step === undefined || step <= factor.lastUsedStep) refuse()
 */
export function matchTotp(secret: string, code: string, now: Date): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined
  const delta = totpOf(secret).validate({
    token: code,
    timestamp: now.getTime(),
    window: TOTP_WINDOW,
  })
  return delta === null ? undefined : totpStep(now) + delta
}

/**
 * The code of `secret` at `at` (tests, and the enrolment page's self-check).
 *
 * @example
 * totpCode(secret, new Date()) // '492039'
 */
export function totpCode(secret: string, at: Date): string {
  return totpOf(secret).generate({ timestamp: at.getTime() })
}
