/**
 * Template macros (stormpath-api reference §12): Stormpath's Velocity quiet references
 * `$!{account.givenName}`, Cloudpass's `${account.givenName}`, and `{{account.givenName}}`
 * placeholders. A missing value renders as nothing, as a quiet reference does; values are
 * HTML-escaped in HTML bodies, so a name like `<script>` cannot inject markup into a mail.
 */

/** A template's data: nested objects of strings and numbers (custom data included). */
export type TemplateModel = { readonly [name: string]: unknown }

/** `$!{path}`, `${path}` or `{{path}}`; paths are dotted names (custom data keys allow `-`). */
const MACRO = /\$!?\{\s*([A-Za-z_][\w.-]*)\s*\}|\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g

/** The macros that carry the workflow's token (rule 7301), in any of the three syntaxes. */
const TOKEN_MACRO =
  /(?:\$!?\{|\{\{)\s*(?:url|sptoken|sptokenNameValuePair|cpToken|cpTokenNameValuePair)\s*\}\}?/

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character]!)
}

/**
 * Replaces every macro of `template` with its value from `model`.
 *
 * @example
 * renderTemplate('Hi $!{account.givenName}', { account: { givenName: '<Ada>' } }, 'html')
 * // 'Hi &lt;Ada&gt;'
 */
export function renderTemplate(
  template: string,
  model: TemplateModel,
  format: 'text' | 'html',
): string {
  return template.replace(MACRO, (_, dollar?: string, braces?: string) => {
    const value = lookup(model, (dollar ?? braces)!)
    return format === 'html' ? escapeHtml(value) : value
  })
}

/** Whether a body links to or names the token (`$!{url}`, `$!{sptoken}`, …). */
export function containsTokenMacro(body: string): boolean {
  return TOKEN_MACRO.test(body)
}

/** A scalar at `path`, as text; objects, arrays and missing values render as nothing. */
function lookup(model: TemplateModel, path: string): string {
  let value: unknown = model
  for (const name of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return ''
    if (!Object.hasOwn(value, name)) return ''
    value = (value as TemplateModel)[name]
  }
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return ''
}
