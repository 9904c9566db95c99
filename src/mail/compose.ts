/**
 * Renders a workflow step's mail for an account: the directory's template, the macro model
 * (account, directory, application, custom data, link and token) and the sender.
 */
import { eq } from 'drizzle-orm'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import { parseCustomData } from '../directory/custom-data'
import { fullNameOf } from '../directory/names'
import type {
  AccountRow,
  ApplicationRow,
  DirectoryRow,
  EmailTemplateRow,
  MailWorkflow,
  PoliciesRow,
} from '../store/rows'
import type { BatchStatement } from '../store/db'
import { queueMail, type MailMessage } from './outbox'
import { renderTemplate, type TemplateModel } from './render'
import { defaultLinkBaseUrl, ensureTemplate, isMailEnabled } from './templates'

export interface MailContext {
  workflow: MailWorkflow
  account: AccountRow
  policies: PoliciesRow
  /** The application the request came through, for `$!{application.*}`. */
  application?: ApplicationRow | null
  /** The workflow's token, for `$!{url}`, `$!{sptoken}` and `$!{sptokenNameValuePair}`. */
  token?: string
}

/** Subjects are one header line: no line breaks (header injection), bounded length. */
const MAX_SUBJECT_LENGTH = 255

/**
 * The rendered mail for `context`, ready for {@link queueMail}.
 *
 * @example
 * const message = await composeMail(deps, { workflow: 'reset', account, policies, token })
 */
export async function composeMail(deps: Deps, context: MailContext): Promise<MailMessage> {
  const { account, workflow } = context
  const directory = (await deps.db
    .select()
    .from(schema.directories)
    .where(eq(schema.directories.id, account.directoryId))
    .get()) as DirectoryRow
  const template = await ensureTemplate(deps, directory, workflow)
  const model = mailModel(deps, template, directory, context)
  const subject = renderTemplate(template.subject, model, 'text')
    .replace(/[\r\n]+/g, ' ')
    .trim()
    .slice(0, MAX_SUBJECT_LENGTH)
  return {
    tenantId: account.tenantId,
    accountId: account.id,
    workflow,
    to: account.email,
    from: senderOf(deps, template),
    subject,
    text:
      template.mimeType === 'text/html'
        ? undefined
        : renderTemplate(template.textBody, model, 'text'),
    html:
      template.mimeType === 'text/plain'
        ? undefined
        : renderTemplate(template.htmlBody, model, 'html'),
  }
}

/** The link a template's `$!{url}` leads to: its `linkBaseUrl`, else Edgepass's own page. */
export function linkBaseUrlOf(deps: Pick<Deps, 'config'>, template: EmailTemplateRow): string {
  return template.linkBaseUrl ?? defaultLinkBaseUrl(deps.config.baseUrl, template.workflow) ?? ''
}

function mailModel(
  deps: Deps,
  template: EmailTemplateRow,
  directory: DirectoryRow,
  context: MailContext,
): TemplateModel {
  const { account, application, token, policies } = context
  const directoryModel = {
    name: directory.name,
    description: directory.description,
    customData: parseCustomData(directory.customData),
  }
  const model: Record<string, unknown> = {
    account: {
      givenName: account.givenName,
      middleName: account.middleName,
      surname: account.surname,
      fullName: fullNameOf(account),
      username: account.username,
      email: account.email,
      status: account.status,
      customData: parseCustomData(account.customData),
      directory: directoryModel,
    },
    directory: directoryModel,
    application: application
      ? {
          name: application.name,
          description: application.description,
          customData: parseCustomData(application.customData),
        }
      : {},
    expirationWindow: policies.resetTokenTtlHours,
    accountLockDuration: Math.round(policies.accountLockDurationSeconds / 60),
  }
  if (token) {
    const base = linkBaseUrlOf(deps, template)
    const pair = `sptoken=${encodeURIComponent(token)}`
    Object.assign(model, {
      url: `${base}${base.includes('?') ? '&' : '?'}${pair}`,
      sptoken: token,
      sptokenNameValuePair: pair,
      // Cloudpass's names for the same values, so imported Cloudpass templates still render.
      cpToken: token,
      cpTokenNameValuePair: `cpToken=${encodeURIComponent(token)}`,
    })
  }
  return model
}

/** `fromName <fromEmailAddress>` from the template, filling gaps from EMAIL_FROM. */
function senderOf(deps: Pick<Deps, 'config'>, template: EmailTemplateRow): string {
  const fallback = deps.config.email.from
  const fallbackAddress = /<([^>]+)>$/.exec(fallback)?.[1] ?? fallback
  const address = template.fromEmailAddress ?? fallbackAddress
  if (template.fromName) return `${template.fromName.replace(/[<>"\r\n]/g, '')} <${address}>`
  return template.fromEmailAddress ? address : fallback
}

/**
 * The outbox insert of a workflow step's mail, for the caller's batch; nothing when the
 * directory's policy has that mail switched off.
 */
export async function queueWorkflowMail(
  deps: Deps,
  context: MailContext,
): Promise<BatchStatement[]> {
  if (!isMailEnabled(context.policies, context.workflow)) return []
  return queueMail(deps, await composeMail(deps, context))
}
