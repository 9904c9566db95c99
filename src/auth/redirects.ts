/**
 * Where the framework may send a browser: paths of this app, or URLs under the configured
 * `allowedRedirects`. Everything else (another site, `//evil.example`, `javascript:`, a path
 * with a backslash that browsers read as `//`) falls back to the default: no open redirect.
 */

/** `target` when it is safe, else `fallback`. */
export function safeRedirect(
  target: string | undefined | null,
  fallback: string,
  allowed: readonly string[] = [],
): string {
  if (!target || target.length > 2048) return fallback
  if (/^\/(?![/\\])/.test(target) && !/[\\\0-\x1f]/.test(target)) return target
  try {
    const url = new URL(target)
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return fallback
    const matches = allowed.some((prefix) => {
      const base = new URL(prefix)
      return url.origin === base.origin && url.pathname.startsWith(base.pathname)
    })
    return matches ? url.href : fallback
  } catch {
    return fallback
  }
}
