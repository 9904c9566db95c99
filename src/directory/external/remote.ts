/**
 * External directories for an app that cannot open LDAP sockets (Cloudflare Workers): it asks
 * the sync worker (`workers/sync`, Bun) over an internal HTTP endpoint. Each request is
 * authenticated with an HMAC-SHA256 keyed by a key derived from SECRET_KEY (HKDF, purpose
 * `sync-rpc/v1`) over its timestamp, nonce and body; the payload (which carries the service bind
 * password and the user's password) is sealed with the master key under a context naming that
 * timestamp and nonce, and so is the answer. Requests older than a minute, or seen before, are
 * refused. Runtime-neutral: fetch and WebCrypto only.
 */
import type { Deps } from '../../deps'
import { timingSafeEqual } from '../../security/constant-time'
import { base64UrlEncode, utf8 } from '../../security/encoding'
import { deriveKey, type Sealer } from '../../security/seal'
import {
  ExternalDirectoryError,
  type ExternalAuthOutcome,
  type ExternalConnection,
  type ExternalDirectoryClient,
} from './source'

export const RPC_PATH = '/internal/ldap'
const MAX_SKEW_MS = 60_000
const SIGNATURE_HEADER = 'edgepass-signature'

type RpcCall =
  | { op: 'users'; connection: ExternalConnection }
  | { op: 'groups'; connection: ExternalConnection }
  | { op: 'authenticate'; connection: ExternalConnection; login: string; password: string }

type RpcAnswer = { ok: true; value: unknown } | { ok: false; error: string }

async function macOf(secretKey: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    await deriveKey(secretKey, 'sync-rpc/v1'),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  return base64UrlEncode(new Uint8Array(await crypto.subtle.sign('HMAC', key, utf8(message))))
}

export interface RemoteClientOptions {
  /** The sync worker's base URL (SYNC_WORKER_URL), e.g. https://sync.internal.example.com */
  url: string
  secretKey: string
  sealer: Sealer
  fetch: Deps['fetch']
  now?: () => Date
}

/**
 * An {@link ExternalDirectoryClient} that forwards every call to the sync worker.
 *
 * @example
 * deps.externalDirectories = remoteDirectoryClient({ url, secretKey, sealer, fetch })
 */
export function remoteDirectoryClient(options: RemoteClientOptions): ExternalDirectoryClient {
  const call = async (payload: RpcCall): Promise<unknown> => {
    const t = String((options.now ?? (() => new Date()))().getTime())
    const n = base64UrlEncode(crypto.getRandomValues(new Uint8Array(16)))
    const sealed = await options.sealer.seal(JSON.stringify(payload), `sync-rpc:${t}:${n}`)
    const body = JSON.stringify({ t, n, sealed })
    let response: Response
    try {
      response = await options.fetch(`${options.url.replace(/\/+$/, '')}${RPC_PATH}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: await macOf(options.secretKey, `${t}.${n}.${body}`),
        },
        body,
      })
    } catch (error) {
      throw new ExternalDirectoryError(
        `The sync worker cannot be reached: ${(error as Error).message}`,
      )
    }
    if (response.status !== 200) {
      throw new ExternalDirectoryError(`The sync worker answered ${response.status}.`)
    }
    const reply = (await response.json()) as { sealed?: string }
    const answer = JSON.parse(
      await options.sealer.open(String(reply.sealed), `sync-rpc-reply:${n}`),
    ) as RpcAnswer
    if (!answer.ok) throw new ExternalDirectoryError(answer.error)
    return answer.value
  }
  return {
    users: async (connection) => (await call({ op: 'users', connection })) as never,
    groups: async (connection) => (await call({ op: 'groups', connection })) as never,
    authenticate: async (connection, login, password): Promise<ExternalAuthOutcome> => {
      try {
        return (await call({
          op: 'authenticate',
          connection,
          login,
          password,
        })) as ExternalAuthOutcome
      } catch (error) {
        return { kind: 'unavailable', message: (error as Error).message }
      }
    },
  }
}

export interface RpcServerOptions {
  secretKey: string
  sealer: Sealer
  /** The worker's own client (ldapts). */
  client: ExternalDirectoryClient
  now?: () => number
}

/**
 * The sync worker's side: a fetch handler for {@link RPC_PATH}. Anything unsigned, stale,
 * replayed or malformed is 401 with no detail; a directory error goes back sealed.
 */
export function rpcHandler(options: RpcServerOptions): (request: Request) => Promise<Response> {
  const seen = new Map<string, number>()
  const refuse = () => new Response('unauthorized', { status: 401 })
  return async (request) => {
    if (request.method !== 'POST' || new URL(request.url).pathname !== RPC_PATH) {
      return new Response('not found', { status: 404 })
    }
    const body = await request.text()
    if (body.length > 64 * 1024) return new Response('too large', { status: 413 })
    let parsed: { t?: unknown; n?: unknown; sealed?: unknown }
    try {
      parsed = JSON.parse(body)
    } catch {
      return refuse()
    }
    const { t, n, sealed } = parsed
    if (typeof t !== 'string' || typeof n !== 'string' || typeof sealed !== 'string')
      return refuse()
    const now = (options.now ?? Date.now)()
    if (!/^\d{1,15}$/.test(t) || Math.abs(now - Number(t)) > MAX_SKEW_MS) return refuse()
    const mac = request.headers.get(SIGNATURE_HEADER) ?? ''
    if (!timingSafeEqual(mac, await macOf(options.secretKey, `${t}.${n}.${body}`))) return refuse()
    for (const [nonce, at] of seen) if (now - at > 2 * MAX_SKEW_MS) seen.delete(nonce)
    if (seen.has(n)) return refuse() // a replay
    seen.set(n, now)
    let call: RpcCall
    try {
      call = JSON.parse(await options.sealer.open(sealed, `sync-rpc:${t}:${n}`)) as RpcCall
    } catch {
      return refuse()
    }
    let answer: RpcAnswer
    try {
      const value =
        call.op === 'users'
          ? await options.client.users(call.connection)
          : call.op === 'groups'
            ? await options.client.groups(call.connection)
            : await options.client.authenticate(call.connection, call.login, call.password)
      answer = { ok: true, value }
    } catch (error) {
      answer = {
        ok: false,
        error:
          error instanceof ExternalDirectoryError ? error.message : 'The directory call failed.',
      }
    }
    const reply = await options.sealer.seal(JSON.stringify(answer), `sync-rpc-reply:${n}`)
    return Response.json({ sealed: reply })
  }
}
