/**
 * The LDAP entries of a tenant's directory, as Cloudron serves them (seed 001; LDAP reference
 * §1.1–1.2): users under `ou=users,{suffix}` with the account id as `cn` and `uid`, groups under
 * `ou=groups,{suffix}` with `member` and `memberuid`. Attribute names are lower case, as
 * searches match them case-insensitively; values are arrays. Pure functions: the server's index
 * builds its entries with them.
 */

/** An entry: its DN and its attributes (lower-case names, one or more values each). */
export interface LdapEntry {
  dn: string
  attributes: Record<string, string[]>
}

/** What a user entry is made of. */
export interface LdapUser {
  id: string
  username: string
  email: string
  givenName: string
  surname: string
  /** Display name; the username when empty. */
  fullName: string
}

/**
 * A value as an RDN value (RFC 4514 §2.4): `,` `+` `"` `\` `<` `>` `;` escaped, a leading `#` or
 * space and a trailing space escaped, NUL as `\00`.
 *
 * @example
 * escapeDnValue('R&D, Paris') // 'R&D\\, Paris'
 */
export function escapeDnValue(value: string): string {
  const escaped = value.replace(/[,+"\\<>;]/g, (c) => `\\${c}`).replace(/\0/g, '\\00')
  return escaped.replace(/^([ #])/, '\\$1').replace(/ $/, '\\ ')
}

export const userDn = (suffix: string, accountId: string) =>
  `cn=${escapeDnValue(accountId)},ou=users,${suffix}`

export const groupDn = (suffix: string, groupName: string) =>
  `cn=${escapeDnValue(groupName)},ou=groups,${suffix}`

/**
 * A user entry, with `memberof` naming its groups. Empty names are left out rather than sent
 * empty (`sn` is a DirectoryString, which must not be empty).
 *
 * @example
 * userEntry('dc=cloudron', account, [{ name: 'admins' }]).dn // 'cn=<id>,ou=users,dc=cloudron'
 */
export function userEntry(
  suffix: string,
  user: LdapUser,
  groups: readonly { name: string }[],
): LdapEntry {
  const attributes: Record<string, string[]> = {
    objectclass: ['user', 'inetorgperson', 'person'],
    objectcategory: ['person'],
    cn: [user.id],
    uid: [user.id],
    username: [user.username],
    samaccountname: [user.username],
    mail: [user.email],
    displayname: [user.fullName.trim() || user.username],
  }
  if (user.givenName.trim()) attributes.givenname = [user.givenName.trim()]
  if (user.surname.trim()) attributes.sn = [user.surname.trim()]
  if (groups.length > 0) attributes.memberof = groups.map((group) => groupDn(suffix, group.name))
  return { dn: userDn(suffix, user.id), attributes }
}

/**
 * A group entry with its members, by DN (`member`, for clients that follow DN-valued
 * membership) and by id (`memberuid`, Cloudron's).
 *
 * @example
 * groupEntry('dc=cloudron', { name: 'admins' }, [{ id: 'uid-1' }]).attributes.memberuid // ['uid-1']
 */
export function groupEntry(
  suffix: string,
  group: { name: string },
  members: readonly { id: string }[],
): LdapEntry {
  const attributes: Record<string, string[]> = {
    objectclass: ['group', 'groupofnames'],
    cn: [group.name],
  }
  if (members.length > 0) {
    attributes.member = members.map((member) => userDn(suffix, member.id))
    attributes.memberuid = members.map((member) => member.id)
  }
  return { dn: groupDn(suffix, group.name), attributes }
}
