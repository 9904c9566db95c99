/**
 * The Workers password primitives inside workerd, bundled by wrangler exactly as a deploy would
 * (precompiled `.wasm` modules; edge-runtime reference §4), checked against Bun's.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { Miniflare } from 'miniflare'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runWrangler } from '../../src/runtime/cli/wrangler'
import { passwordPrimitives } from '../../src/runtime/passwords-bun'
import { createPasswordHasher } from '../../src/security/passwords'

const PASSWORD = 'pässwörd-ñ-🔑'
const ENTRY = 'test/fixtures/password-worker.ts'
const onBun = createPasswordHasher(passwordPrimitives)

let outdir: string
let mf: Miniflare

beforeAll(async () => {
  outdir = await mkdtemp(join(tmpdir(), 'edgepass-password-worker-'))
  const build = await runWrangler([
    'deploy',
    '--dry-run',
    '--outdir',
    outdir,
    ENTRY,
    '--name',
    'pwtest',
    '--compatibility-date',
    '2026-04-01',
    '--compatibility-flags',
    'nodejs_compat',
  ])
  if (build.exitCode !== 0) throw new Error(`wrangler deploy --dry-run failed:\n${build.output}`)
  // The entry module first, then the rest: Miniflare resolves imports against this list.
  const names = (await readdir(outdir))
    .filter((name) => name.endsWith('.js') || name.endsWith('.wasm'))
    .sort((a, b) => Number(b === 'password-worker.js') - Number(a === 'password-worker.js'))
  const modules = await Promise.all(
    names.map(async (name) => ({
      type: name.endsWith('.wasm') ? ('CompiledWasm' as const) : ('ESModule' as const),
      path: join(outdir, name),
      contents: await readFile(join(outdir, name)),
    })),
  )
  mf = new Miniflare({
    modules,
    modulesRoot: outdir,
    compatibilityDate: '2026-04-01',
    compatibilityFlags: ['nodejs_compat'],
    host: '127.0.0.1',
    port: 0,
    cf: false,
  })
  await mf.ready
}, 60_000)

afterAll(async () => {
  await mf?.dispose()
  if (outdir) await rm(outdir, { recursive: true, force: true })
})

async function onWorkerd<T>(path: string, body: Record<string, string>): Promise<T> {
  const response = await mf.dispatchFetch(new URL(path, 'http://pwtest.test'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  expect(response.status).toBe(200)
  return (await response.json()) as T
}

const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/=+$/, '')

const verifyOnWorkerd = (password: string, hash: string) =>
  onWorkerd<{ valid: boolean; needsRehash: boolean }>('/verify', { password, hash })

describe('password hashing on workerd', () => {
  test('the bundle loads the argon2 WASM as precompiled modules', async () => {
    const wasm = (await readdir(outdir)).filter((name) => name.endsWith('.wasm'))
    expect(wasm.some((name) => name.includes('argon2'))).toBe(true)
    expect(wasm.some((name) => name.includes('blake2b'))).toBe(true)
  })

  test('an argon2id hash made on Bun verifies on workerd', async () => {
    const hash = await onBun.hash(PASSWORD)
    expect(await verifyOnWorkerd(PASSWORD, hash)).toEqual({ valid: true, needsRehash: false })
    expect((await verifyOnWorkerd('pässwörd-ñ-🔒', hash)).valid).toBe(false)
  })

  test('an argon2id hash made on workerd verifies on Bun', async () => {
    const { hash } = await onWorkerd<{ hash: string }>('/hash', { password: PASSWORD })
    expect(hash).toStartWith('$argon2id$v=19$m=19456,t=2,p=1$')
    expect(onBun.needsRehash(hash)).toBe(false)
    expect(await onBun.verify(PASSWORD, hash)).toBe(true)
    expect(await onBun.verify('pässwörd-ñ-🔒', hash)).toBe(false)
    expect((await verifyOnWorkerd(PASSWORD, hash)).valid).toBe(true)
  })

  test('a bcrypt hash made on Bun verifies on workerd, in every revision', async () => {
    const hash = await Bun.password.hash(PASSWORD, { algorithm: 'bcrypt', cost: 4 })
    for (const revision of ['$2a$', '$2b$', '$2x$', '$2y$']) {
      const variant = revision + hash.slice(4)
      expect(await verifyOnWorkerd(PASSWORD, variant)).toEqual({ valid: true, needsRehash: true })
      expect((await verifyOnWorkerd('wrong', variant)).valid).toBe(false)
    }
  })

  test('pbkdf2-sha256 from Bun WebCrypto and $stormpath2$ MD5 verify on workerd', async () => {
    const salt = crypto.getRandomValues(new Uint8Array(16))
    const key = await crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(PASSWORD),
      'PBKDF2',
      false,
      ['deriveBits'],
    )
    const bits = await crypto.subtle.deriveBits(
      { name: 'PBKDF2', hash: 'SHA-256', salt, iterations: 1000 },
      key,
      256,
    )
    const pbkdf2 = `$pbkdf2-sha256$i=1000$${base64(salt)}$${base64(new Uint8Array(bits))}`
    expect(await verifyOnWorkerd(PASSWORD, pbkdf2)).toEqual({ valid: true, needsRehash: true })
    expect((await verifyOnWorkerd('wrong', pbkdf2)).valid).toBe(false)
    // MD5 comes from @noble/hashes on both runtimes (Bun's WebCrypto has none).
    const stormpath2 = '$stormpath2$MD5$1$$0HY+2qnZvSqVFigOkETYhQ=='
    expect(await verifyOnWorkerd('monkey', stormpath2)).toEqual({ valid: true, needsRehash: true })
    expect((await verifyOnWorkerd('monkey!', stormpath2)).valid).toBe(false)
  })

  test('a malformed stored hash is a wrong password on workerd too', async () => {
    for (const hash of ['', '$argon2id$garbage', '$2a$4$short', '$stormpath2$CRC32$1$$x']) {
      expect((await verifyOnWorkerd(PASSWORD, hash)).valid).toBe(false)
    }
  })
})
