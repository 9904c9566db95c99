/** @jsxImportSource hono/jsx */

/**
 * "<App> wants to:" and the scopes in plain words, as a list named by its introduction. Nothing
 * when no scope has words (`openid` alone still reads "Confirm who you are").
 *
 * @example
 * <ScopeList clientName="Gitea" scopes={describeScopes(['openid', 'email'])} verb="wants to" />
 */
export function ScopeList(props: { clientName: string; scopes: string[]; verb: string }) {
  if (props.scopes.length === 0) return null
  return (
    <>
      <p id="scopes-intro">
        <strong>{props.clientName}</strong> {props.verb}:
      </p>
      <ul class="scopes" aria-labelledby="scopes-intro">
        {props.scopes.map((scope) => (
          <li>{scope}</li>
        ))}
      </ul>
    </>
  )
}
