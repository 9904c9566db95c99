/**
 * Creates a tenant, logs its administrator in and makes an API key, as the README's curl
 * sequence does, through any `request` function (a target's, or fetch to a server).
 */
export interface Admin {
  tenantKey: string
  email: string
  password: string
  accountHref: string
  keyId: string
  keySecret: string
  /** `Authorization` header value for the key. */
  basic: string
}

type Request = (path: string, init?: RequestInit) => Promise<Response>

export async function bootstrapAdmin(request: Request, tenantKey = 'sdk-tenant'): Promise<Admin> {
  const email = `admin@${tenantKey}.example.com`
  const password = 'Admin-pass-1234'
  const form = (fields: Record<string, string>) => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  })
  const registered = await request(
    '/registration',
    form({ tenantNameKey: tenantKey, email, givenName: 'Ada', surname: 'Admin', password }),
  )
  if (registered.status !== 204)
    throw new Error(`registration: ${registered.status} ${await registered.text()}`)
  const login = await request('/login', form({ tenantNameKey: tenantKey, email, password }))
  if (login.status !== 204) throw new Error(`login: ${login.status} ${await login.text()}`)
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!
  const current = await request('/v1/accounts/current', { headers: { cookie }, redirect: 'manual' })
  const accountHref = current.headers.get('location')!
  const accountPath = new URL(accountHref).pathname
  const key = (await (
    await request(`${accountPath}/apiKeys`, { method: 'POST', headers: { cookie } })
  ).json()) as { id: string; secret: string }
  return {
    tenantKey,
    email,
    password,
    accountHref,
    keyId: key.id,
    keySecret: key.secret,
    basic: `Basic ${btoa(`${key.id}:${key.secret}`)}`,
  }
}
