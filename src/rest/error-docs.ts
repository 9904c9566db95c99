import { Hono } from 'hono'
import { EdgepassError } from '../errors'
import type { RequestIdVariables } from '../http/request-id'

/**
 * What each Stormpath error code means, served at `moreInfo` (`GET /errors/{code}`), so the link
 * in every error body leads somewhere useful instead of to Stormpath's retired site.
 */
export const ERROR_DOCS: Record<number, { title: string; description: string }> = {
  400: {
    title: 'Bad request',
    description: 'The request could not be read: malformed JSON, encoding or query syntax.',
  },
  404: {
    title: 'Not found',
    description: 'No resource exists at this address, or it belongs to another tenant.',
  },
  413: {
    title: 'Payload too large',
    description: 'The request body exceeds the size this endpoint accepts.',
  },
  500: {
    title: 'Internal error',
    description: 'Something unexpected failed. Quote the requestId when reporting it.',
  },
  503: {
    title: 'Service unavailable',
    description: 'The service or its database is not ready, or the deployment is misconfigured.',
  },
  1100: {
    title: 'Method not supported',
    description: 'The HTTP method is not supported for this resource; see the Allow header.',
  },
  1101: {
    title: 'Unsupported media type',
    description: 'The request body must be sent with Content-Type: application/json.',
  },
  401: {
    title: 'Authentication required',
    description:
      'Send an administrator API key (HTTP Basic or SAuthc1) or the session cookie from POST /login.',
  },
  403: {
    title: 'Forbidden',
    description: 'The caller may not do this, e.g. a cross-site request authenticated by cookie.',
  },
  429: {
    title: 'Too many requests',
    description:
      'A rate limit was reached; retry after the number of seconds in the Retry-After header.',
  },
  2000: {
    title: 'Property required',
    description: 'A required property is missing or empty; the message names it.',
  },
  2001: {
    title: 'Already exists',
    description:
      'A resource with this unique value (name, email, username, nameKey) already exists.',
  },
  2002: {
    title: 'Invalid value',
    description: 'A property has a value that is not allowed; the message names it.',
  },
  2003: {
    title: 'Unsupported value',
    description: 'A property has a value this service does not support.',
  },
  2004: {
    title: 'Wrong type',
    description: 'A property has the wrong JSON type, e.g. a number where text is expected.',
  },
  2007: {
    title: 'Too short',
    description: 'A property (often the password) is shorter than its minimum length.',
  },
  2008: { title: 'Too long', description: 'A property is longer than its maximum length.' },
  2009: { title: 'Below minimum', description: 'A number is below its minimum.' },
  2010: { title: 'Above maximum', description: 'A number is above its maximum.' },
  2016: {
    title: 'Invalid href',
    description: 'A link is not a well-formed href of the expected resource type.',
  },
  2020: {
    title: 'Referenced resource not found',
    description: 'A link points to a resource that does not exist in this tenant.',
  },
  2021: {
    title: 'Referenced resource unusable',
    description:
      'A link points to a resource whose status forbids this use, e.g. a disabled application.',
  },
  2100: { title: 'Malformed query', description: 'The query string could not be understood.' },
  2103: {
    title: 'Invalid query value',
    description: 'A query parameter has an invalid value or type.',
  },
  2104: {
    title: 'Malformed orderBy',
    description:
      'orderBy must be attribute names with an optional asc or desc, separated by commas.',
  },
  2105: {
    title: 'Unsupported query',
    description: 'The collection cannot be filtered by this parameter.',
  },
  2106: {
    title: 'Unsortable attribute',
    description: 'orderBy names an attribute this collection cannot be sorted by.',
  },
  2107: {
    title: 'Not expandable',
    description: 'expand names a link this resource does not have or that cannot be expanded.',
  },
  2108: { title: 'Empty range', description: 'The end of a range must come after its start.' },
  3000: {
    title: 'Empty custom data name',
    description: 'Custom data field names must not be empty.',
  },
  3001: {
    title: 'Custom data name too long',
    description: 'Custom data field names are limited to 255 characters.',
  },
  3002: {
    title: 'Invalid custom data name',
    description:
      'Custom data field names contain only letters, digits, _ and -, and do not start with -.',
  },
  3003: {
    title: 'Reserved custom data name',
    description:
      'href, createdAt, modifiedAt, meta, spMeta, spmeta, ionmeta and ionMeta are reserved.',
  },
  3004: {
    title: 'Custom data too large',
    description: 'Custom data is limited to 10 MB per resource.',
  },
  4001: {
    title: 'Tenant owner cannot be deleted',
    description: 'The account that owns the tenant cannot be deleted.',
  },
  4002: {
    title: 'Tenant owner status is fixed',
    description: "The status of the tenant owner's account cannot be changed.",
  },
  4600: {
    title: 'No default account store',
    description:
      'Map an account store to the organization with isDefaultAccountStore=true before creating accounts through it.',
  },
  4601: {
    title: 'Default account store disabled',
    description: "The organization's default account store is disabled.",
  },
  4602: {
    title: 'No default group store',
    description:
      'Map a directory to the organization with isDefaultGroupStore=true before creating groups through it.',
  },
  4603: {
    title: 'Default group store disabled',
    description: "The organization's default group store is disabled.",
  },
  4604: {
    title: 'Account store already mapped',
    description: 'This directory or group is already mapped to the organization.',
  },
  4612: {
    title: 'Group cannot be the default group store',
    description: "Only a directory can be an organization's default group store.",
  },
  4605: {
    title: 'Organization has no account stores',
    description:
      'The organization must map at least one directory or group before accounts can log in through it.',
  },
  4614: {
    title: 'Organization cannot map an organization',
    description: 'Organizations map directories and groups only.',
  },
  5100: {
    title: 'No default account store',
    description:
      'Map an account store with isDefaultAccountStore=true before creating accounts through the application or organization.',
  },
  5101: {
    title: 'Default account store disabled',
    description: 'The default account store is disabled.',
  },
  5102: {
    title: 'No default group store',
    description:
      'Map a directory with isDefaultGroupStore=true before creating groups through the application or organization.',
  },
  5103: {
    title: 'Default group store disabled',
    description: 'The default group store is disabled.',
  },
  5104: {
    title: 'Account store already mapped',
    description:
      'This directory, group or organization is already mapped to the application or organization.',
  },
  5105: {
    title: 'No account stores',
    description: 'The application has no account stores, so no account can log in through it.',
  },
  5112: {
    title: 'Group cannot be the default group store',
    description: 'Only a directory can be the default group store.',
  },
  5114: {
    title: 'Account store not mapped',
    description: 'The accountStore of the login attempt is not mapped to the application.',
  },
  7100: { title: 'Invalid username or password', description: 'The password is wrong.' },
  7101: { title: 'Account disabled', description: 'The account is disabled.' },
  7102: {
    title: 'Account unverified',
    description: 'The account has not verified its email address yet.',
  },
  7103: {
    title: 'Account locked',
    description:
      "Too many failed attempts: the account is locked for the directory's lock duration.",
  },
  7104: {
    title: 'Invalid username or password',
    description: "No account with this login exists in the application's account stores.",
  },
  7105: {
    title: 'Group disabled',
    description: 'The account reaches the application only through a disabled group.',
  },
  7106: { title: 'Directory disabled', description: "The account's directory is disabled." },
  7107: {
    title: 'Organization disabled',
    description: 'The account reaches the application only through a disabled organization.',
  },
  6101: {
    title: 'No verification workflow',
    description:
      "The account's directory does not send verification emails: enable verificationEmailStatus on its account creation policy.",
  },
  7205: {
    title: 'Email domain blacklisted',
    description:
      "The email's domain matches the directory's emailDomainBlacklist (account creation policy).",
  },
  7206: {
    title: 'Email domain not whitelisted',
    description:
      "The directory's emailDomainWhitelist is not empty and the email's domain matches none of it.",
  },
  7301: {
    title: 'Template lacks the link',
    description:
      'A verification or password reset template must contain $!{url}, $!{sptoken} or $!{sptokenNameValuePair} in every body its mimeType sends.',
  },
  7400: {
    title: 'Synced from an external directory',
    description:
      'Accounts and groups of an external (LDAP / Active Directory) directory come from that server: only their custom data and second factors can change here, and accounts and groups cannot be created in it. Change them on the server, or disable the connector to make them local.',
  },
}

export function errorDocsRoutes() {
  const app = new Hono<{ Variables: RequestIdVariables }>()
  app.get('/errors/:code', (c) => {
    const code = Number(c.req.param('code'))
    const doc = ERROR_DOCS[code]
    if (!doc) throw new EdgepassError('not_found', 'There is no such error code.')
    return c.json({ code, ...doc })
  })
  return app
}
