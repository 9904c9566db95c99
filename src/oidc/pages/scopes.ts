/**
 * Scopes in plain words, for the login and consent pages (reference §1.2 says what each one
 * releases). Only scopes Edgepass knows are described: an unknown scope releases nothing, and
 * showing a client's made-up scope string on our page would let it write its own consent text.
 */
const SCOPE_WORDS: Readonly<Record<string, string>> = {
  openid: 'Confirm who you are',
  profile: 'See your name and username',
  email: 'See your email address',
  groups: 'See the groups you belong to',
  offline_access: 'Keep this access after you leave',
}

/**
 * What the requested `scopes` let the client do, one sentence each, in request order.
 *
 * @example
 * describeScopes(['openid', 'email', 'x-unknown']) // ['Confirm who you are', 'See your email address']
 */
export function describeScopes(scopes: readonly string[]): string[] {
  return scopes.flatMap((scope) => (Object.hasOwn(SCOPE_WORDS, scope) ? [SCOPE_WORDS[scope]!] : []))
}
