/** The LDAP entries of the directory, as seed 001 shows Cloudron's (issue "LDAP", item 2). */
import { describe, expect, test } from 'bun:test'
import { escapeDnValue, groupEntry, userEntry } from '../../workers/ldap/entries'

const SUFFIX = 'dc=cloudron'
const ada = {
  id: 'uid-0cfbd3d8-6547-4332-9415-dadfe8b78ac4',
  username: 'ada',
  email: 'ada@example.com',
  givenName: 'Ada',
  surname: 'Lovelace',
  fullName: 'Ada Lovelace',
}

describe('user entries', () => {
  test("match seed 001's example: DN, object classes, category, cn and uid = the account id", () => {
    const entry = userEntry(SUFFIX, ada, [{ name: 'admins' }, { name: 'R&D, Paris' }])
    expect(entry.dn).toBe(`cn=${ada.id},ou=users,dc=cloudron`)
    expect(entry.attributes).toEqual({
      objectclass: ['user', 'inetorgperson', 'person'],
      objectcategory: ['person'],
      cn: [ada.id],
      uid: [ada.id],
      username: ['ada'],
      samaccountname: ['ada'],
      mail: ['ada@example.com'],
      displayname: ['Ada Lovelace'],
      givenname: ['Ada'],
      sn: ['Lovelace'],
      memberof: ['cn=admins,ou=groups,dc=cloudron', 'cn=R&D\\, Paris,ou=groups,dc=cloudron'],
    })
  })

  test('empty names are left out, the display name falls back to the username, no groups no memberof', () => {
    const entry = userEntry(SUFFIX, { ...ada, givenName: ' ', surname: '', fullName: '' }, [])
    expect(entry.attributes.displayname).toEqual(['ada'])
    expect(Object.keys(entry.attributes)).not.toContain('sn')
    expect(Object.keys(entry.attributes)).not.toContain('givenname')
    expect(Object.keys(entry.attributes)).not.toContain('memberof')
  })

  test('attribute names are lower case, for case-insensitive matching', () => {
    const names = Object.keys(userEntry(SUFFIX, ada, [{ name: 'x' }]).attributes)
    expect(names.every((name) => name === name.toLowerCase())).toBe(true)
  })
})

describe('group entries', () => {
  test('list members by DN and by id', () => {
    const entry = groupEntry(SUFFIX, { name: 'admins' }, [{ id: 'uid-1' }, { id: 'uid-2' }])
    expect(entry).toEqual({
      dn: 'cn=admins,ou=groups,dc=cloudron',
      attributes: {
        objectclass: ['group', 'groupofnames'],
        cn: ['admins'],
        member: ['cn=uid-1,ou=users,dc=cloudron', 'cn=uid-2,ou=users,dc=cloudron'],
        memberuid: ['uid-1', 'uid-2'],
      },
    })
  })

  test('an empty group has no member attributes', () => {
    expect(groupEntry(SUFFIX, { name: 'empty' }, []).attributes).toEqual({
      objectclass: ['group', 'groupofnames'],
      cn: ['empty'],
    })
  })
})

describe('escapeDnValue (RFC 4514 §2.4)', () => {
  test('DN injection: special characters cannot add RDNs or attributes', () => {
    expect(escapeDnValue('a,ou=admins')).toBe('a\\,ou=admins')
    expect(escapeDnValue('a+cn=b')).toBe('a\\+cn=b')
    expect(escapeDnValue('"quoted"; <x> \\')).toBe('\\"quoted\\"\\; \\<x\\> \\\\')
    expect(escapeDnValue('#hash')).toBe('\\#hash')
    expect(escapeDnValue(' lead and trail ')).toBe('\\ lead and trail\\ ')
    expect(escapeDnValue('nul\0')).toBe('nul\\00')
    expect(escapeDnValue('plain name')).toBe('plain name')
  })
})
