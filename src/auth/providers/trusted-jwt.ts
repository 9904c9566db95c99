/**
 * A provider for JWTs issued by someone this app trusts (a gateway, another service, an IdP's
 * access tokens): verified against a JWKS or a key with pinned algorithms, issuer and audience.
 * Never decode-only (the reference implementation's first defect): an unsigned, forged, expired
 * or foreign token verifies to nothing.
 */
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose'
import type { MappedProfile, Profile, Provider } from '../types'

export interface TrustedJwtOptions {
  /** The issuer's JWKS URL, or a key (a secret for HS256, a public CryptoKey). */
  jwksUrl?: string
  key?: CryptoKey | Uint8Array
  issuer: string
  audience: string
  /** Pinned, e.g. ['RS256'] or ['ES256']: `none` and algorithm confusion are impossible. */
  algorithms: string[]
  /** The claim that identifies the user (default `sub`), and the one listing groups (`groups`). */
  idClaim?: string
  groupsClaim?: string
}

/** Standard OIDC claims → the framework's profile fields. */
export function mapStandardClaims(
  profile: Profile,
  idClaim = 'sub',
  groupsClaim = 'groups',
): MappedProfile {
  const text = (name: string) =>
    typeof profile[name] === 'string' ? (profile[name] as string) : undefined
  const groups = profile[groupsClaim]
  return {
    externalId: String(profile[idClaim] ?? ''),
    email: text('email')?.toLowerCase(),
    emailVerified: profile.email_verified === true,
    givenName: text('given_name'),
    familyName: text('family_name'),
    name: text('name'),
    groups: Array.isArray(groups)
      ? groups.filter((group): group is string => typeof group === 'string')
      : [],
  }
}

/**
 * @example
 * trustedJwtProvider({ jwksUrl: 'https://id.example.com/openid/jwks', issuer, audience, algorithms: ['RS256'] })
 */
export function trustedJwtProvider(options: TrustedJwtOptions): Provider {
  if (!options.jwksUrl && !options.key) throw new Error('trustedJwtProvider needs jwksUrl or key')
  if (options.algorithms.length === 0 || options.algorithms.includes('none')) {
    throw new Error('trustedJwtProvider needs pinned algorithms (never none)')
  }
  const key: JWTVerifyGetKey | CryptoKey | Uint8Array = options.jwksUrl
    ? createRemoteJWKSet(new URL(options.jwksUrl))
    : options.key!
  return {
    type: 'trusted-jwt',
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key as never, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms: options.algorithms,
        })
        return payload as Profile
      } catch {
        return null
      }
    },
    mapProfile: (profile) => mapStandardClaims(profile, options.idClaim, options.groupsClaim),
  }
}
