/**
 * Reads hosted pages as a browser would, without one: the status, headers and HTML of a page,
 * its hidden form fields and the cookie it sets; and posts forms back.
 */
import type { Target } from '../harness/targets'

export const FORM_TYPE = 'application/x-www-form-urlencoded'

export interface HostedPage {
  status: number
  headers: Headers
  html: string
  /** `name=value` of the cookie the page set, ready for a `Cookie` header. */
  cookie: string | undefined
  /** The page's `<input type="hidden">` fields by name. */
  hidden: Record<string, string>
}

export async function readPage(response: Response): Promise<HostedPage> {
  const html = await response.text()
  const hidden: Record<string, string> = {}
  for (const [tag] of html.matchAll(/<input\b[^>]*>/g)) {
    if (!/\btype="hidden"/.test(tag)) continue
    const name = /\bname="([^"]*)"/.exec(tag)?.[1]
    if (name !== undefined) hidden[name] = /\bvalue="([^"]*)"/.exec(tag)?.[1] ?? ''
  }
  const setCookie = response.headers.get('set-cookie')
  return {
    status: response.status,
    headers: response.headers,
    html,
    cookie: setCookie ? setCookie.split(';')[0] : undefined,
    hidden,
  }
}

export interface PostOptions {
  cookie?: string
  headers?: Record<string, string>
}

/** GETs and posts hosted pages on a target. */
export function pageClient(target: Target) {
  return {
    open: async (path: string, cookie?: string) =>
      readPage(await target.request(path, { headers: cookie ? { cookie } : {} })),
    post: async (path: string, fields: Record<string, string>, options: PostOptions = {}) =>
      readPage(
        await target.request(path, {
          method: 'POST',
          headers: {
            'content-type': FORM_TYPE,
            ...(options.cookie ? { cookie: options.cookie } : {}),
            ...options.headers,
          },
          body: new URLSearchParams(fields).toString(),
        }),
      ),
  }
}
