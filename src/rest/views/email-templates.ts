import type { Deps } from '../../deps'
import { linkBaseUrlOf } from '../../mail/compose'
import type { EmailTemplateRow } from '../../store/rows'
import type { JsonObject } from '../body'
import type { Scope } from '../context'
import { timestamps } from './core'

/**
 * An email template as Stormpath showed it (`/emailTemplates/{id}`): the sender fields and link
 * base show their effective values, so a client reading them sees where mails come from and
 * where links lead.
 */
export function emailTemplateJson(scope: Scope, row: EmailTemplateRow): JsonObject {
  const { deps } = scope
  return {
    href: scope.hrefs.of('emailTemplates', row.id),
    name: row.name,
    description: row.description,
    fromName: row.fromName ?? defaultFromName(deps),
    fromEmailAddress: row.fromEmailAddress ?? defaultFromAddress(deps),
    subject: row.subject,
    textBody: row.textBody,
    htmlBody: row.htmlBody,
    mimeType: row.mimeType,
    defaultModel: { linkBaseUrl: linkBaseUrlOf(deps, row) || null },
    ...timestamps(row),
  }
}

function defaultFromName(deps: Pick<Deps, 'config'>): string {
  return /^(.*) <[^>]+>$/.exec(deps.config.email.from)?.[1] ?? ''
}

function defaultFromAddress(deps: Pick<Deps, 'config'>): string {
  const from = deps.config.email.from
  return /<([^>]+)>$/.exec(from)?.[1] ?? from
}
