/**
 * Argon2id and bcrypt on Bun: `Bun.password` (native, ~50 ms per argon2id hash; edge-runtime
 * reference §4.1).
 */
import { ARGON2ID_PARAMS, type PasswordPrimitives } from '../security/passwords'

/** bcrypt reads at most 72 bytes of the password. */
const BCRYPT_MAX_KEY_BYTES = 72
const encoder = new TextEncoder()

/**
 * @example
 * const passwords = createPasswordHasher(passwordPrimitives)
 */
export const passwordPrimitives: PasswordPrimitives = {
  argon2idHash: (password) =>
    Bun.password.hash(password, {
      algorithm: 'argon2id',
      memoryCost: ARGON2ID_PARAMS.memoryCost,
      timeCost: ARGON2ID_PARAMS.timeCost,
    }),

  argon2idVerify: (password, phc) => Bun.password.verify(password, phc, 'argon2id'),

  // Bun pre-hashes passwords over 72 bytes with SHA-512 before bcrypt; every other bcrypt
  // (bcryptjs on Workers, the systems hashes are imported from) truncates them. Truncating here
  // keeps Bun from rejecting long passwords whose hashes were made elsewhere.
  bcryptVerify: (password, hash) =>
    Bun.password.verify(encoder.encode(password).subarray(0, BCRYPT_MAX_KEY_BYTES), hash, 'bcrypt'),
}
