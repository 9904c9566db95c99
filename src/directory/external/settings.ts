/**
 * An external directory's settings (issue "External directory connector"; LDAP reference §5.1):
 * where the LDAP or Active Directory server is, which entries are users and groups, and which
 * attributes give a username, an email, names and a stable id. Presets fill the attribute
 * defaults of common servers; whatever the client sends overrides them. Validated here with
 * valibot, stored as JSON without the bind password (sealed apart).
 */
import * as v from 'valibot'
import { EdgepassError } from '../../errors'

export const PRESETS = ['generic', 'activedirectory', 'jumpcloud', 'okta', 'edgepass'] as const
export type Preset = (typeof PRESETS)[number]

/** What the stored JSON holds: every field resolved (preset defaults applied). */
export interface ExternalSettings {
  preset: Preset
  url: string
  baseDn: string
  filter: string
  usernameField: string
  mailField: string
  givenNameField: string
  surnameField: string
  displayNameField: string
  /** The stable id: `entryUUID` (OpenLDAP, 389, FreeIPA), `objectGUID` (AD, binary), … */
  uuidField: string
  groupBaseDn: string
  groupFilter: string
  groupnameField: string
  /** The group attribute that lists members by DN (`member`, `uniqueMember`). */
  groupMemberField: string
  /** Empty for an anonymous service bind. */
  bindDn: string
  acceptSelfSignedCertificates: boolean
  autoCreate: boolean
  syncGroups: boolean
  syncIntervalSeconds: number
}

type AttributeDefaults = Pick<
  ExternalSettings,
  | 'filter'
  | 'usernameField'
  | 'mailField'
  | 'givenNameField'
  | 'surnameField'
  | 'displayNameField'
  | 'uuidField'
  | 'groupFilter'
  | 'groupnameField'
  | 'groupMemberField'
>

const INET_ORG_PERSON: AttributeDefaults = {
  filter: '(objectClass=inetOrgPerson)',
  usernameField: 'uid',
  mailField: 'mail',
  givenNameField: 'givenName',
  surnameField: 'sn',
  displayNameField: 'cn',
  uuidField: 'entryUUID',
  groupFilter: '(objectClass=groupOfNames)',
  groupnameField: 'cn',
  groupMemberField: 'member',
}

/** Attribute defaults per preset (seed 001's JumpCloud and Okta settings; AD's schema). */
export const PRESET_DEFAULTS: Record<Preset, AttributeDefaults> = {
  generic: INET_ORG_PERSON,
  activedirectory: {
    // Disabled AD accounts (userAccountControl bit 2) are left out (LDAP reference §5.3.10).
    filter:
      '(&(objectCategory=person)(objectClass=user)(!(userAccountControl:1.2.840.113556.1.4.803:=2)))',
    usernameField: 'sAMAccountName',
    mailField: 'userPrincipalName',
    givenNameField: 'givenName',
    surnameField: 'sn',
    displayNameField: 'displayName',
    uuidField: 'objectGUID',
    groupFilter: '(objectClass=group)',
    groupnameField: 'cn',
    groupMemberField: 'member',
  },
  jumpcloud: INET_ORG_PERSON,
  okta: {
    ...INET_ORG_PERSON,
    // Okta's LDAP interface: the Okta user id, and groups of unique names.
    uuidField: 'uniqueIdentifier',
    groupFilter: '(objectClass=groupOfUniqueNames)',
    groupMemberField: 'uniqueMember',
  },
  edgepass: {
    // Another Edgepass's LDAP server (workers/ldap): `uid` is the account id, which never changes.
    filter: '(objectclass=user)',
    usernameField: 'username',
    mailField: 'mail',
    givenNameField: 'givenname',
    surnameField: 'sn',
    displayNameField: 'displayname',
    uuidField: 'uid',
    groupFilter: '(objectclass=group)',
    groupnameField: 'cn',
    groupMemberField: 'member',
  },
}

export const DEFAULT_SYNC_INTERVAL_SECONDS = 4 * 3600
const MIN_SYNC_INTERVAL_SECONDS = 300
const MAX_SYNC_INTERVAL_SECONDS = 7 * 24 * 3600

/** An attribute description (RFC 4512 §2.5): a name or an OID. */
const attribute = v.pipe(
  v.string(),
  v.trim(),
  v.regex(/^(?:[A-Za-z][A-Za-z0-9-]{0,63}|\d+(?:\.\d+){1,30})$/, 'must be an attribute name'),
)

/**
 * A DN as a client types it: `attr=value` components. Checked loosely here (the server is the
 * judge); control characters and unbalanced escapes are refused.
 */
const dn = v.pipe(
  v.string(),
  v.trim(),
  v.maxLength(1024),
  v.regex(
    /^[A-Za-z][A-Za-z0-9-.]*=[^\0-\x1f]*$/,
    'must be a DN such as ou=people,dc=example,dc=org',
  ),
)

/** A search filter (RFC 4515): parenthesised, balanced, no control characters. */
const filter = v.pipe(
  v.string(),
  v.trim(),
  v.maxLength(2048),
  v.check(isBalancedFilter, 'must be an LDAP filter such as (objectClass=inetOrgPerson)'),
)

function isBalancedFilter(text: string): boolean {
  if (!text.startsWith('(') || !text.endsWith(')') || /[\0-\x1f]/.test(text)) return false
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\')
      i += 2 // RFC 4515 escapes are a backslash and two hex digits
    else if (text[i] === '(') depth++
    else if (text[i] === ')' && --depth < 0) return false
  }
  return depth === 0
}

const ldapUrl = v.pipe(
  v.string(),
  v.trim(),
  v.maxLength(1024),
  v.check((value) => {
    try {
      const url = new URL(value)
      return (
        (url.protocol === 'ldap:' || url.protocol === 'ldaps:') &&
        url.hostname !== '' &&
        (url.pathname === '' || url.pathname === '/') &&
        !url.search &&
        !url.username
      )
    } catch {
      return false
    }
  }, 'must be ldap://host[:port] or ldaps://host[:port]'),
)

const ISO_DURATION = /^PT(?=\d)(?:(\d{1,6})H)?(?:(\d{1,6})M)?(?:(\d{1,6})S)?$/

const syncInterval = v.pipe(
  v.string(),
  v.regex(ISO_DURATION, 'must be an ISO-8601 duration such as PT4H'),
  v.transform((value) => {
    const [, h = '0', m = '0', s = '0'] = ISO_DURATION.exec(value)!
    return Number(h) * 3600 + Number(m) * 60 + Number(s)
  }),
  v.minValue(MIN_SYNC_INTERVAL_SECONDS, 'must be at least PT5M'),
  v.maxValue(MAX_SYNC_INTERVAL_SECONDS, 'must be at most 7 days (PT168H)'),
)

/** The writable fields of a provider and their rules (`bindPassword` is write-only). */
export const PROVIDER_FIELDS = {
  preset: v.picklist(PRESETS),
  url: ldapUrl,
  baseDn: dn,
  filter,
  usernameField: attribute,
  mailField: attribute,
  uuidField: attribute,
  groupBaseDn: v.union([v.literal(''), dn]),
  groupFilter: filter,
  groupnameField: attribute,
  groupMemberField: attribute,
  bindDn: v.union([v.literal(''), dn]),
  bindPassword: v.pipe(v.string(), v.maxLength(1024)),
  acceptSelfSignedCertificates: v.boolean(),
  autoCreate: v.boolean(),
  syncGroups: v.boolean(),
  syncInterval,
}

export const NAME_FIELDS = {
  givenName: attribute,
  surname: attribute,
  displayName: attribute,
}

/** A provider as the client sent it, validated (see the REST route). */
export type ProviderInput = Partial<{
  [K in keyof typeof PROVIDER_FIELDS]: v.InferOutput<(typeof PROVIDER_FIELDS)[K]>
}> & {
  nameFields?: Partial<{ givenName: string; surname: string; displayName: string }>
}

/**
 * Applies `input` to `current` (or, on creation, to the preset's defaults). A preset change
 * brings that preset's attribute defaults, under whatever else the input sets.
 */
export function resolveSettings(
  input: ProviderInput,
  current: ExternalSettings | undefined,
): ExternalSettings {
  const preset = input.preset ?? current?.preset ?? 'generic'
  const presetChanged =
    current !== undefined && input.preset !== undefined && input.preset !== current.preset
  const base: ExternalSettings =
    current && !presetChanged
      ? current
      : {
          preset,
          url: current?.url ?? '',
          baseDn: current?.baseDn ?? '',
          ...PRESET_DEFAULTS[preset],
          groupBaseDn: current?.groupBaseDn ?? '',
          bindDn: current?.bindDn ?? '',
          acceptSelfSignedCertificates: current?.acceptSelfSignedCertificates ?? false,
          autoCreate: current?.autoCreate ?? false,
          syncGroups: current?.syncGroups ?? false,
          syncIntervalSeconds: current?.syncIntervalSeconds ?? DEFAULT_SYNC_INTERVAL_SECONDS,
        }
  const { bindPassword: _secret, syncInterval: interval, nameFields, ...plain } = input
  const settings: ExternalSettings = {
    ...base,
    ...definedOnly(plain),
    preset,
    ...(nameFields?.givenName ? { givenNameField: nameFields.givenName } : {}),
    ...(nameFields?.surname ? { surnameField: nameFields.surname } : {}),
    ...(nameFields?.displayName ? { displayNameField: nameFields.displayName } : {}),
    ...(interval !== undefined ? { syncIntervalSeconds: interval } : {}),
  }
  if (!settings.url)
    throw new EdgepassError('required', 'provider.url is required.', { field: 'url' })
  if (!settings.baseDn) {
    throw new EdgepassError('required', 'provider.baseDn is required.', { field: 'baseDn' })
  }
  if (settings.syncGroups && !settings.groupBaseDn) {
    throw new EdgepassError('required', 'provider.groupBaseDn is required when syncGroups is on.', {
      field: 'groupBaseDn',
    })
  }
  return settings
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, field]) => field !== undefined),
  ) as Partial<T>
}

/** Reads stored settings JSON (written by this module). */
export function parseStoredSettings(json: string): ExternalSettings {
  return JSON.parse(json) as ExternalSettings
}
