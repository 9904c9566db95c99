/**
 * OIDC benchmark (issue "OpenID Connect provider"): token endpoint throughput for
 * client_credentials, refresh_token and authorization_code exchange, and userinfo — Edgepass on
 * Bun (embedded libSQL) side by side with node-oidc-provider 9 on Node (bench/peers), same
 * machine, same load generator (its own Bun process), same algorithms (RS256 ID tokens, opaque
 * access tokens, rotating refresh tokens). Prints a Markdown section with the ratios.
 *
 *   bun bench/oidc.ts [seconds=8] [concurrency=8] [singleUse=1500]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { REPO_ROOT } from '../src/runtime/cli/wrangler'
import { bootstrapAdmin } from '../test/harness/admin'
import { freePort, startServer } from '../test/harness/process'
import type { LoadPlan, LoadResult } from './load'

const SECONDS = Number(process.argv[2] ?? 8)
const CONCURRENCY = Number(process.argv[3] ?? 8)
const SINGLE_USE = Number(process.argv[4] ?? 1500)
const REDIRECT = 'https://rp.example.com/callback'
const PASSWORD = 'Bench-pass-1234'

interface Peer {
  name: string
  issuer: string
  clientId: string
  secret: string
  /** A logged-in browser, whose `prompt=none` requests yield codes silently. */
  browser: ReturnType<typeof jar>
  userinfo: string
}

/** A cookie jar over fetch that follows nothing itself. */
function jar() {
  const cookies = new Map<string, string>()
  return {
    header: () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
    async fetch(url: string, init: RequestInit = {}) {
      const headers = new Headers(init.headers)
      if (cookies.size) headers.set('cookie', this.header())
      const response = await fetch(url, { ...init, headers, redirect: 'manual' })
      for (const line of response.headers.getSetCookie()) {
        const [pair] = line.split(';')
        const [name, ...value] = pair!.split('=')
        cookies.set(name!.trim(), value.join('='))
      }
      return response
    },
  }
}

function authorizeUrl(peer: Pick<Peer, 'issuer' | 'clientId'>, prompt?: string): string {
  const params = new URLSearchParams({
    client_id: peer.clientId,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'openid profile email',
    state: crypto.randomUUID(),
    ...(prompt ? { prompt } : {}),
  })
  return `${peer.issuer}/auth?${params}`
}

async function codesFrom(peer: Peer, count: number): Promise<string[]> {
  const codes: string[] = []
  for (let i = 0; i < count; i++) {
    // Through the jar: node-oidc-provider re-issues its session cookie as it goes.
    const response = await peer.browser.fetch(authorizeUrl(peer, 'none'))
    const location = response.headers.get('location') ?? ''
    const code = new URL(location, peer.issuer).searchParams.get('code')
    if (!code)
      throw new Error(`${peer.name}: no silent code #${i} (${response.status} ${location})`)
    codes.push(code)
  }
  return codes
}

const basic = (peer: Peer) => `Basic ${btoa(`${peer.clientId}:${peer.secret}`)}`
const tokenRequest = (peer: Peer, body: Record<string, string>) => ({
  method: 'POST',
  url: `${peer.issuer}/token`,
  headers: { authorization: basic(peer), 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(body).toString(),
})

async function exchange(peer: Peer, code: string) {
  const request = tokenRequest(peer, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT,
  })
  const response = await fetch(request.url, request)
  if (response.status !== 200)
    throw new Error(`${peer.name}: exchange ${response.status} ${await response.text()}`)
  return (await response.json()) as { access_token: string; refresh_token?: string }
}

async function load(plan: LoadPlan): Promise<LoadResult> {
  const file = join(dir, `plan-${crypto.randomUUID()}.json`)
  await writeFile(file, JSON.stringify(plan))
  const child = Bun.spawn([process.execPath, join(REPO_ROOT, 'bench/load.ts'), file], {
    stdout: 'pipe',
  })
  const out = await new Response(child.stdout).text()
  await child.exited
  return JSON.parse(out.trim().split('\n').pop()!) as LoadResult
}

async function scenarios(peer: Peer): Promise<Record<string, LoadResult>> {
  const results: Record<string, LoadResult> = {}
  results.client_credentials = await load({
    requests: [tokenRequest(peer, { grant_type: 'client_credentials' })],
    concurrency: CONCURRENCY,
    seconds: SECONDS,
  })
  const codes = await codesFrom(peer, SINGLE_USE)
  results.authorization_code = await load({
    requests: codes.map((code) =>
      tokenRequest(peer, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT }),
    ),
    concurrency: CONCURRENCY,
    seconds: 120,
    once: true,
  })
  const refreshTokens: string[] = []
  for (const code of await codesFrom(peer, SINGLE_USE)) {
    refreshTokens.push((await exchange(peer, code)).refresh_token!)
  }
  results.refresh_token = await load({
    requests: refreshTokens.map((token) =>
      tokenRequest(peer, { grant_type: 'refresh_token', refresh_token: token }),
    ),
    concurrency: CONCURRENCY,
    seconds: 120,
    once: true,
  })
  const { access_token } = await exchange(peer, (await codesFrom(peer, 1))[0]!)
  results.userinfo = await load({
    requests: [
      { method: 'GET', url: peer.userinfo, headers: { authorization: `Bearer ${access_token}` } },
    ],
    concurrency: CONCURRENCY,
    seconds: SECONDS,
  })
  return results
}

// Edgepass on Bun, as `npm start` runs it.
const dir = await mkdtemp(join(tmpdir(), 'edgepass-bench-oidc-'))
const server = await startServer(dir, { LOG_LEVEL: 'warn' })
const base = `http://localhost:${server.port}`
const admin = await bootstrapAdmin((path, init) => fetch(`${base}${path}`, init), 'bench')
const v1 = async (method: string, path: string, body: unknown) => {
  const response = await fetch(path.startsWith('http') ? path : `${base}${path}`, {
    method,
    headers: { authorization: admin.basic, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  if (response.status >= 300)
    throw new Error(`${path}: ${response.status} ${await response.text()}`)
  return (await response.json()) as Record<string, any>
}
const directory = await v1('POST', '/v1/directories', { name: 'Bench users' })
const application = await v1('POST', '/v1/applications', { name: 'Bench RP' })
await v1('POST', '/v1/accountStoreMappings', {
  application: { href: application.href },
  accountStore: { href: directory.href },
  isDefaultAccountStore: true,
})
await v1('POST', `${directory.href}/accounts`, {
  username: 'bench',
  email: 'bench@example.com',
  password: PASSWORD,
})
const registered = await v1('POST', '/v1/oidcClients', {
  application: { href: application.href },
  redirectUris: [REDIRECT],
  grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
  trusted: true,
  alwaysIssueRefreshToken: true,
})
const edgepassBrowser = jar()
const started = await edgepassBrowser.fetch(
  authorizeUrl({ issuer: `${base}/openid`, clientId: registered.clientId }),
)
const interaction = started.headers.get('location')!
const login = await edgepassBrowser.fetch(`${interaction}/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ username: 'bench', password: PASSWORD }),
})
if (login.status !== 200) throw new Error(`login: ${await login.text()}`)
const edgepass: Peer = {
  name: 'Edgepass (Bun)',
  issuer: `${base}/openid`,
  clientId: registered.clientId,
  secret: registered.clientSecret,
  browser: edgepassBrowser,
  userinfo: `${base}/openid/me`,
}

const ours = await scenarios(edgepass)
// node-oidc-provider 9 on Node.
const nopPort = freePort()
const nop = Bun.spawn(['node', join(REPO_ROOT, 'bench/peers/oidc-provider.mjs')], {
  env: { ...process.env, PORT: String(nopPort) },
  stdout: 'pipe',
  stderr: 'ignore',
})
const reader = nop.stdout.getReader()
for (let text = ''; !text.includes('ready');)
  text += new TextDecoder().decode((await reader.read()).value)
const nopIssuer = `http://127.0.0.1:${nopPort}`
const nopBrowser = jar()
let step = await nopBrowser.fetch(authorizeUrl({ issuer: nopIssuer, clientId: 'rp' }))
for (let hops = 0; hops < 10; hops++) {
  const location = new URL(step.headers.get('location') ?? '', nopIssuer)
  if (location.href.startsWith(REDIRECT)) break
  if (location.pathname.startsWith('/interaction/')) {
    const page = await (await nopBrowser.fetch(location.href)).text()
    const form: Record<string, string> = page.includes('name="login"')
      ? { prompt: 'login', login: 'bench', password: 'x' }
      : { prompt: 'consent' }
    step = await nopBrowser.fetch(location.href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    })
  } else step = await nopBrowser.fetch(location.href)
}
if (!(step.headers.get('location') ?? '').includes('code=')) {
  throw new Error(`node-oidc-provider login failed: ${step.status} ${step.headers.get('location')}`)
}
const peer: Peer = {
  name: 'node-oidc-provider 9.13 (Node 20)',
  issuer: nopIssuer,
  clientId: 'rp',
  secret: 'rp-secret-rp-secret-rp-secret-rp-secret',
  browser: nopBrowser,
  userinfo: `${nopIssuer}/me`,
}

const theirs = await scenarios(peer)
nop.kill()
await server.stop()
await rm(dir, { recursive: true, force: true })

const rows = Object.keys(ours).map((name) => {
  const a = ours[name]!
  const b = theirs[name]!
  const cell = (r: LoadResult) =>
    `${r.rps.toFixed(0)} req/s, p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms${r.errors ? `, ${r.errors} errors` : ''}`
  return `| ${name} | ${cell(a)} | ${cell(b)} | ${(a.rps / b.rps).toFixed(2)} |`
})
console.log(
  [
    `### OIDC — ${new Date().toISOString().slice(0, 10)}`,
    '',
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Bun ${Bun.version}, Node ${process.versions.node ? Bun.spawnSync(['node', '--version']).stdout.toString().trim() : ''}. Load generator: bench/load.ts in its own Bun process, ${CONCURRENCY} connections, sharing the CPUs with the server. Time-based scenarios ran ${SECONDS} s; single-use ones (codes, rotating refresh tokens) sent ${SINGLE_USE} requests each.`,
    '',
    '| scenario | Edgepass (Bun, libSQL file) | node-oidc-provider 9 (Node, in-memory adapter) | ratio |',
    '| --- | --- | --- | --- |',
    ...rows,
  ].join('\n'),
)
