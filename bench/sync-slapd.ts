/**
 * The directory the sync benchmark (`bench/sync.ts`) reads from slapd, and the 1% change made
 * before its resync. One model says who is in which group and whose mail changed, so the same
 * functions write the LDIF and check what the sync wrote.
 *
 * Users are `uid=userNNNN,ou=people,<suffix>` (inetOrgPerson); user i is in group `i mod groups`,
 * and every fifth user also in the group half-way round, so 10,000 users in 50 groups make
 * 12,000 memberships. The change: every hundredth user gets a new mail, and a hundred other users
 * (spread over all the groups) move from their first group to the next one.
 */
import { ldifEntry } from '../test/harness/slapd'

export interface BenchDirectory {
  suffix: string
  users: number
  groups: number
}

export const userName = (i: number): string => `user${String(i).padStart(4, '0')}`
export const groupName = (g: number): string => `group${String(g).padStart(2, '0')}`
const userDn = (d: BenchDirectory, i: number) => `uid=${userName(i)},ou=people,${d.suffix}`
const groupDn = (d: BenchDirectory, g: number) => `cn=${groupName(g)},ou=groups,${d.suffix}`

/** Whether user i has a new mail after the change (1% of the users). */
export const mailChanges = (i: number): boolean => i % 100 === 0

/** Whether user i moves to another group in the change: one user per hundred, never a mail change. */
export const moves = (i: number): boolean => i % 100 === 50 + (Math.floor(i / 100) % 50)

/** User i's mail, before or after the change. */
export function mailOf(i: number, changed: boolean): string {
  return changed && mailChanges(i) ? `${userName(i)}.new@example.org` : `${userName(i)}@example.org`
}

/** The groups user i is in, before or after the change. */
export function groupsOf(d: BenchDirectory, i: number, changed: boolean): number[] {
  const first = i % d.groups
  const primary = changed && moves(i) ? (first + 1) % d.groups : first
  const second = (first + Math.floor(d.groups / 2)) % d.groups
  return i % 5 === 0 && second !== primary ? [primary, second] : [primary]
}

/** Members of every group, as user indexes. */
function membersByGroup(d: BenchDirectory, changed: boolean): number[][] {
  const members = Array.from({ length: d.groups }, (): number[] => [])
  for (let i = 0; i < d.users; i++) {
    for (const g of groupsOf(d, i, changed)) members[g]!.push(i)
  }
  return members
}

/** Every user, then every group: the seed for `startSlapd` (users first, for memberOf). */
export function directoryLdif(d: BenchDirectory): string {
  const parts: string[] = []
  for (let i = 0; i < d.users; i++) {
    const name = userName(i)
    parts.push(
      ldifEntry(userDn(d, i), {
        objectClass: ['inetOrgPerson'],
        uid: [name],
        cn: [`User ${name.slice(4)}`],
        sn: [name.slice(4)],
        givenName: ['User'],
        mail: [mailOf(i, false)],
        userPassword: [`${name}-pass`],
      }),
    )
  }
  membersByGroup(d, false).forEach((members, g) => {
    parts.push(
      ldifEntry(groupDn(d, g), {
        objectClass: ['groupOfNames'],
        cn: [groupName(g)],
        member: members.map((i) => userDn(d, i)),
      }),
    )
  })
  return parts.join('')
}

/** The change as one ldapmodify input: the new mails, then each group's members out and in. */
export function changeLdif(d: BenchDirectory): { ldif: string; mails: number; moved: number } {
  const records: string[] = []
  let mails = 0
  let moved = 0
  for (let i = 0; i < d.users; i++) {
    if (!mailChanges(i)) continue
    mails++
    records.push(
      `dn: ${userDn(d, i)}\nchangetype: modify\nreplace: mail\nmail: ${mailOf(i, true)}\n-\n\n`,
    )
  }
  const before = membersByGroup(d, false).map((members) => new Set(members))
  membersByGroup(d, true).forEach((members, g) => {
    const now = new Set(members)
    const out = [...before[g]!].filter((i) => !now.has(i))
    const into = members.filter((i) => !before[g]!.has(i))
    moved += into.length
    const ops: string[] = []
    if (out.length > 0)
      ops.push(['delete: member', ...out.map((i) => `member: ${userDn(d, i)}`)].join('\n'))
    if (into.length > 0)
      ops.push(['add: member', ...into.map((i) => `member: ${userDn(d, i)}`)].join('\n'))
    if (ops.length > 0)
      records.push(`dn: ${groupDn(d, g)}\nchangetype: modify\n${ops.join('\n-\n')}\n-\n\n`)
  })
  return { ldif: records.join(''), mails, moved }
}
