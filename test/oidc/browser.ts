/**
 * A simulated browser for OIDC tests: a cookie jar over a target's `request`, and the login
 * walk through the JSON interaction API (reference §1.5), so suites log in without HTML.
 */
import { expect } from 'bun:test'
import { TEST_BASE_URL, type Target } from '../harness/targets'

export interface Browser {
  request(url: string, init?: RequestInit): Promise<Response>
  /** Follows 3xx answers within Edgepass until one leaves it (the client's redirect URI). */
  follow(url: string): Promise<Response>
  cookies: Map<string, string>
}

export function browser(target: Target): Browser {
  const cookies = new Map<string, string>()
  const request = async (url: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers)
    if (cookies.size > 0) {
      headers.set('cookie', [...cookies].map(([name, value]) => `${name}=${value}`).join('; '))
    }
    const path = url.startsWith(TEST_BASE_URL) ? url.slice(TEST_BASE_URL.length) : url
    const response = await target.request(path, { ...init, headers })
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';')
      const [name, ...rest] = pair!.split('=')
      const value = rest.join('=')
      const expired = attributes.some((a) => /max-age=0/i.test(a.trim())) || value === ''
      if (expired) cookies.delete(name!.trim())
      else cookies.set(name!.trim(), value)
    }
    return response
  }
  const follow = async (url: string) => {
    let response = await request(url)
    while (response.status >= 300 && response.status < 400) {
      const location = response.headers.get('location')!
      if (!location.startsWith(TEST_BASE_URL)) return response
      response = await request(location)
    }
    return response
  }
  return { request, follow, cookies }
}

export const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
})

/**
 * Walks an authorization request through login and consent; answers the final redirect to the
 * client (a 303 whose `Location` carries `code` or `error`).
 */
export async function authorizeThrough(
  b: Browser,
  /** The request's URL, or the authorization endpoint's answer to it (a form POST, say). */
  authorizationUrl: string | Response,
  login: { username: string; password: string } | undefined,
  options: { consent?: boolean } = {},
): Promise<Response> {
  let response =
    typeof authorizationUrl === 'string' ? await b.request(authorizationUrl) : authorizationUrl
  for (let step = 0; step < 6; step++) {
    if (response.status !== 303) return response
    const location = response.headers.get('location')!
    const interaction = /\/interaction\/([A-Za-z0-9_-]+)$/.exec(location)
    if (!interaction) return response
    const details = await (await b.request(`${location}/details`)).json()
    let answer: { redirectTo?: string; prompt?: string }
    if (details.prompt === 'login') {
      if (!login) return response
      const reply = await b.request(`${location}/login`, json(login))
      expect(reply.status).toBe(200)
      answer = await reply.json()
      if (answer.prompt === 'consent' && options.consent !== false) {
        answer = await (await b.request(`${location}/confirm`, json({}))).json()
      }
    } else if (details.prompt === 'consent') {
      answer = await (
        await b.request(`${location}/${options.consent === false ? 'abort' : 'confirm'}`, json({}))
      ).json()
    } else {
      answer = { redirectTo: details.resume }
    }
    if (answer.prompt === 'consent' && options.consent === false) {
      answer = await (await b.request(`${location}/abort`, json({}))).json()
    }
    response = await b.request(answer.redirectTo!)
  }
  return response
}

/** The same browser, sending `userAgent` as its User-Agent (sessions record it). */
export function withUserAgent(b: Browser, userAgent: string): Browser {
  const request = b.request
  return {
    ...b,
    request: (url, init = {}) => {
      const headers = new Headers(init.headers)
      headers.set('user-agent', userAgent)
      return request(url, { ...init, headers })
    },
  }
}
