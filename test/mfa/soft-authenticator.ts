/**
 * A software WebAuthn authenticator for tests (ES256, `none` attestation, discoverable): it
 * answers registration and authentication options as a browser with a platform authenticator
 * would, so the server's checks (challenge, origin, RP id, signature, counter) meet real
 * cryptography. Chromium's virtual authenticator covers the browser side in the UI suites.
 */
import { base64UrlEncode, utf8 } from '../../src/security/encoding'

type Json = Record<string, any>

/** A minimal CBOR encoder: unsigned and negative integers, byte and text strings, maps. */
function cbor(value: unknown): Uint8Array {
  const head = (major: number, length: number): number[] => {
    if (length < 24) return [(major << 5) | length]
    if (length < 256) return [(major << 5) | 24, length]
    return [(major << 5) | 25, length >> 8, length & 255]
  }
  if (typeof value === 'number') {
    return new Uint8Array(value >= 0 ? head(0, value) : head(1, -1 - value))
  }
  if (value instanceof Uint8Array) return new Uint8Array([...head(2, value.length), ...value])
  if (typeof value === 'string') {
    const bytes = utf8(value)
    return new Uint8Array([...head(3, bytes.length), ...bytes])
  }
  const entries = value instanceof Map ? [...value] : Object.entries(value as Json)
  const parts = entries.flatMap(([k, v]) => [...cbor(k), ...cbor(v)])
  return new Uint8Array([...head(5, entries.length), ...parts])
}

const sha256 = async (bytes: Uint8Array) =>
  new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>))

/** ECDSA's raw r‖s as the DER SEQUENCE WebAuthn carries. */
function derSignature(raw: Uint8Array): Uint8Array {
  const integer = (bytes: Uint8Array) => {
    let i = 0
    while (i < bytes.length - 1 && bytes[i] === 0) i++
    let trimmed = [...bytes.subarray(i)]
    if (trimmed[0]! & 0x80) trimmed = [0, ...trimmed]
    return [0x02, trimmed.length, ...trimmed]
  }
  const body = [...integer(raw.subarray(0, 32)), ...integer(raw.subarray(32))]
  return new Uint8Array([0x30, body.length, ...body])
}

export interface SoftCredential {
  id: string
  keys: CryptoKeyPair
  userHandle: string
  counter: number
}

export interface SoftAuthenticator {
  /** Answers registration options; `origin` is where the page runs. */
  register(options: Json, origin: string): Promise<{ credential: SoftCredential; response: Json }>
  /** Answers authentication options with `credential`. */
  assert(credential: SoftCredential, options: Json, origin: string, rpId?: string): Promise<Json>
}

export function softAuthenticator(): SoftAuthenticator {
  const flags = (attested: boolean) => 0x01 | 0x04 | (attested ? 0x40 : 0)
  const counterBytes = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]
  return {
    async register(options, origin) {
      const keys = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
        'sign',
        'verify',
      ])) as CryptoKeyPair
      const jwk = await crypto.subtle.exportKey('jwk', keys.publicKey)
      const b64 = (text: string) =>
        Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0))
      const coseKey = cbor(
        new Map<number, unknown>([
          [1, 2],
          [3, -7],
          [-1, 1],
          [-2, b64(jwk.x!)],
          [-3, b64(jwk.y!)],
        ]),
      )
      const rawId = crypto.getRandomValues(new Uint8Array(16))
      const authData = new Uint8Array([
        ...(await sha256(utf8(options.rp.id))),
        flags(true),
        ...counterBytes(0),
        ...new Uint8Array(16),
        0,
        rawId.length,
        ...rawId,
        ...coseKey,
      ])
      const clientData = utf8(
        JSON.stringify({
          type: 'webauthn.create',
          challenge: options.challenge,
          origin,
          crossOrigin: false,
        }),
      )
      const attestationObject = cbor(
        new Map<string, unknown>([
          ['fmt', 'none'],
          ['attStmt', new Map()],
          ['authData', authData],
        ]),
      )
      const id = base64UrlEncode(rawId)
      return {
        credential: { id, keys, userHandle: options.user.id, counter: 0 },
        response: {
          id,
          rawId: id,
          type: 'public-key',
          clientExtensionResults: {},
          authenticatorAttachment: 'platform',
          response: {
            clientDataJSON: base64UrlEncode(clientData),
            attestationObject: base64UrlEncode(attestationObject),
            transports: ['internal'],
          },
        },
      }
    },
    async assert(credential, options, origin, rpId) {
      credential.counter += 1
      const authData = new Uint8Array([
        ...(await sha256(utf8(rpId ?? options.rpId))),
        flags(false),
        ...counterBytes(credential.counter),
      ])
      const clientData = utf8(
        JSON.stringify({
          type: 'webauthn.get',
          challenge: options.challenge,
          origin,
          crossOrigin: false,
        }),
      )
      const signed = new Uint8Array([...authData, ...(await sha256(clientData))])
      const raw = new Uint8Array(
        await crypto.subtle.sign(
          { name: 'ECDSA', hash: 'SHA-256' },
          credential.keys.privateKey,
          signed,
        ),
      )
      return {
        id: credential.id,
        rawId: credential.id,
        type: 'public-key',
        clientExtensionResults: {},
        authenticatorAttachment: 'platform',
        response: {
          clientDataJSON: base64UrlEncode(clientData),
          authenticatorData: base64UrlEncode(authData),
          signature: base64UrlEncode(derSignature(raw)),
          userHandle: credential.userHandle,
        },
      }
    },
  }
}
