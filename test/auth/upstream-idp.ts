/**
 * Starts node-oidc-provider 9 on Node (test/auth/upstream-idp.mjs) as the upstream IdP of a
 * suite: `users` by login (their claims), the client's redirect URIs; answers its issuer and the
 * process (kill it in afterAll).
 */
import { fileURLToPath } from 'node:url'

export async function startUpstreamIdp(
  users: Record<string, Record<string, unknown>>,
  redirectUris: string[],
) {
  const child = Bun.spawn(['node', fileURLToPath(new URL('./upstream-idp.mjs', import.meta.url))], {
    env: {
      ...process.env,
      USERS: JSON.stringify(users),
      REDIRECT_URIS: JSON.stringify(redirectUris),
    },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'inherit',
  })
  const reader = child.stdout.getReader()
  let printed = ''
  while (!/listening (\d+)/.test(printed)) {
    const { value, done } = await reader.read()
    if (done) throw new Error(`upstream IdP did not start: ${printed}`)
    printed += new TextDecoder().decode(value)
  }
  return { issuer: `http://127.0.0.1:${/listening (\d+)/.exec(printed)![1]}`, child }
}
