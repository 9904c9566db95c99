/**
 * Argon2id and bcrypt on Cloudflare Workers: argon2-wasm-edge (50–75 ms per argon2id hash on
 * workerd) and bcryptjs (edge-runtime reference §4).
 */
import { argon2id, argon2Verify, setWASMModules } from 'argon2-wasm-edge'
import argon2WASM from 'argon2-wasm-edge/wasm/argon2.wasm'
import blake2bWASM from 'argon2-wasm-edge/wasm/blake2b.wasm'
import { compare } from 'bcryptjs'
import { ARGON2ID_PARAMS, type PasswordPrimitives } from '../security/passwords'

// Workers forbid compiling WebAssembly at run time ("Wasm code generation disallowed by
// embedder"); wrangler turns these imports into precompiled modules. setWASMModules only fills
// a cache, so calling it at module scope does no async work.
void setWASMModules({ argon2WASM, blake2bWASM })

/** RFC 9106 §3.1 recommends 16 bytes; Bun writes 32. Both sides verify either. */
const SALT_BYTES = 16

/**
 * @example
 * const passwords = createPasswordHasher(passwordPrimitives)
 */
export const passwordPrimitives: PasswordPrimitives = {
  argon2idHash: (password) =>
    argon2id({
      password,
      salt: crypto.getRandomValues(new Uint8Array(SALT_BYTES)),
      iterations: ARGON2ID_PARAMS.timeCost,
      memorySize: ARGON2ID_PARAMS.memoryCost,
      parallelism: ARGON2ID_PARAMS.parallelism,
      hashLength: ARGON2ID_PARAMS.hashLength,
      outputType: 'encoded',
    }),

  argon2idVerify: (password, phc) => argon2Verify({ password, hash: phc }),

  bcryptVerify: (password, hash) => compare(password, hash),
}
