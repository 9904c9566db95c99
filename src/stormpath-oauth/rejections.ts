/**
 * Why a presented OAuth token (or token id) is refused. Stormpath had a code for most of these
 * (`errors.rst` 100XX, noted beside each); the REST face answers them with its existing codes
 * until those are added.
 */
export type TokenRejection =
  /** Not a JWT, or not one of our ids (10017 for a JWT). */
  | 'malformed'
  /** An access token where a refresh token is expected, or the reverse. */
  | 'wrong_type'
  /** The `kid` names no usable key of the tenant, or not the key the grant must use. */
  | 'unknown_key'
  /** The signature or the claims do not check out (10017). */
  | 'bad_signature'
  /** Past `exp` (10011). */
  | 'expired'
  /** Issued by another application than the one validating it (10014). */
  | 'wrong_application'
  /** Deleted through `/accessTokens/{id}` or `/refreshTokens/{id}` (10013). */
  | 'revoked'
  /** The account is gone or no longer enabled (10010). */
  | 'account_disabled'
  /** The account left the application's account stores (10016). */
  | 'account_unreachable'
  /** The application is disabled (10015). */
  | 'application_disabled'

export const REJECTION_MESSAGES: Record<TokenRejection, string> = {
  malformed: 'The token is malformed.',
  wrong_type: 'The token is not of the expected type.',
  unknown_key: 'The token was signed by an unknown, disabled or other API key.',
  bad_signature: 'The token signature or claims are invalid.',
  expired: 'The token has expired.',
  wrong_application: 'The token was issued by another application.',
  revoked: 'The token has been revoked.',
  account_disabled: 'The account of the token is disabled or deleted.',
  account_unreachable: "The account is no longer in the application's account stores.",
  application_disabled: 'The application that issued the token is disabled.',
}
