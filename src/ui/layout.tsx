/** @jsxImportSource hono/jsx */
import type { Child } from 'hono/jsx'
import { raw } from 'hono/html'
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { PAGE_STYLES } from './styles'

export interface PageOptions {
  /** The page's `<h1>` and `<title>`. */
  title: string
  /** Prefixes the title with "Error:", so a screen reader hears at once that the form failed. */
  hasError?: boolean
  status?: ContentfulStatusCode
  /** Rules appended to the shared stylesheet, for a face's own components. */
  styles?: string
  /**
   * One inline script, run by nonce (the page's CSP must allow scripts: `pageHeaders({
   * scripts: true })`); for the WebAuthn ceremonies, which need the browser's API.
   */
  script?: string
}

/**
 * Answers with a complete hosted page: doctype, the layout and `content`. The one `<style>`
 * carries the nonce that the Content-Security-Policy of `pageHeaders` allows.
 *
 * @example
 * return renderPage(c, { title: 'Your email is verified' }, <p>You can close this page.</p>)
 */
export function renderPage(
  c: Context,
  page: PageOptions,
  content: Child,
): Response | Promise<Response> {
  const element = (
    <Layout
      title={page.hasError ? `Error: ${page.title}` : page.title}
      nonce={c.get('secureHeadersNonce')}
      styles={page.styles}
      script={page.script}
    >
      <h1>{page.title}</h1>
      {content}
    </Layout>
  )
  return c.html(element, page.status ?? 200)
}

function Layout(props: {
  title: string
  nonce: string | undefined
  styles: string | undefined
  script?: string
  children: Child
}) {
  return (
    <>
      {raw('<!doctype html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          {/* The headers say it too; the meta tags keep it so when a proxy drops headers. */}
          <meta name="referrer" content="no-referrer" />
          <meta name="robots" content="noindex, nofollow" />
          <title>{props.title}</title>
          <style
            nonce={props.nonce}
            dangerouslySetInnerHTML={{ __html: PAGE_STYLES + (props.styles ?? '') }}
          />
        </head>
        <body>
          <main>{props.children}</main>
          {props.script && (
            <script nonce={props.nonce} dangerouslySetInnerHTML={{ __html: props.script }} />
          )}
        </body>
      </html>
    </>
  )
}
