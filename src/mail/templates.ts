/**
 * Which template belongs to which workflow step, which policy switches it, and how a directory
 * gets its templates: created from the defaults the first time they are needed, so directories
 * created before this table existed get them too.
 */
import { and, eq } from 'drizzle-orm'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import { EdgepassError } from '../errors'
import type { EmailTemplateRow, MailWorkflow, PoliciesRow } from '../store/rows'
import { defaultTemplate } from './defaults'
import { containsTokenMacro } from './render'

export type PolicyResource =
  'passwordPolicies' | 'accountCreationPolicies' | 'accountLockingPolicies'

export interface WorkflowSpec {
  /** The policy resource whose template collection lists it. */
  policy: PolicyResource
  /** That collection's name (`verificationEmailTemplates`, …). */
  collection: string
  /** The policy column that switches the mail on (`ENABLED`) or off. */
  status: keyof PoliciesRow
  /** The mail links to a hosted page with a token (rule 7301 applies). */
  page?: 'verify' | 'reset'
}

export const MAIL_WORKFLOWS: Record<MailWorkflow, WorkflowSpec> = {
  verification: {
    policy: 'accountCreationPolicies',
    collection: 'verificationEmailTemplates',
    status: 'verificationEmailStatus',
    page: 'verify',
  },
  verificationSuccess: {
    policy: 'accountCreationPolicies',
    collection: 'verificationSuccessEmailTemplates',
    status: 'verificationSuccessEmailStatus',
  },
  welcome: {
    policy: 'accountCreationPolicies',
    collection: 'welcomeEmailTemplates',
    status: 'welcomeEmailStatus',
  },
  reset: {
    policy: 'passwordPolicies',
    collection: 'resetEmailTemplates',
    status: 'resetEmailStatus',
    page: 'reset',
  },
  resetSuccess: {
    policy: 'passwordPolicies',
    collection: 'resetSuccessEmailTemplates',
    status: 'resetSuccessEmailStatus',
  },
  accountLocked: {
    policy: 'accountLockingPolicies',
    collection: 'accountLockedEmailTemplates',
    status: 'accountLockedEmailStatus',
  },
}

export const WORKFLOW_NAMES = Object.keys(MAIL_WORKFLOWS) as MailWorkflow[]

/** The workflows whose templates a policy resource lists. */
export function workflowsOf(policy: PolicyResource): MailWorkflow[] {
  return WORKFLOW_NAMES.filter((workflow) => MAIL_WORKFLOWS[workflow].policy === policy)
}

/** Whether the directory's policy has this mail switched on. */
export function isMailEnabled(policies: PoliciesRow, workflow: MailWorkflow): boolean {
  return policies[MAIL_WORKFLOWS[workflow].status] === 'ENABLED'
}

/** Where a template's links point when it sets no `linkBaseUrl`: Edgepass's own pages. */
export function defaultLinkBaseUrl(baseUrl: string, workflow: MailWorkflow): string | null {
  const page = MAIL_WORKFLOWS[workflow].page
  return page ? `${baseUrl}/ui/${page}` : null
}

/**
 * The directory's template for a workflow step, created from the default when missing. Two
 * requests creating it at once agree on one row (the unique index and `on conflict do nothing`).
 */
export async function ensureTemplate(
  deps: Pick<Deps, 'db' | 'now' | 'newId'>,
  directory: { id: string; tenantId: string },
  workflow: MailWorkflow,
): Promise<EmailTemplateRow> {
  const { emailTemplates: t } = schema
  const find = () =>
    deps.db
      .select()
      .from(t)
      .where(and(eq(t.directoryId, directory.id), eq(t.workflow, workflow)))
      .get()
  const existing = await find()
  if (existing) return existing
  const now = deps.now()
  await deps.db
    .insert(t)
    .values({
      id: deps.newId(),
      tenantId: directory.tenantId,
      directoryId: directory.id,
      workflow,
      ...defaultTemplate(workflow),
      fromName: null,
      fromEmailAddress: null,
      mimeType: 'multipart/alternative',
      linkBaseUrl: null,
      createdAt: now,
      modifiedAt: now,
    })
    .onConflictDoNothing()
  return (await find())!
}

/**
 * Rule 7301: a verification or reset mail must carry its token, in every body its `mimeType`
 * sends, or the user gets a mail they cannot act on.
 */
export function checkTemplateCarriesToken(
  template: Pick<EmailTemplateRow, 'workflow' | 'mimeType' | 'textBody' | 'htmlBody'>,
): void {
  if (!MAIL_WORKFLOWS[template.workflow].page) return
  const bodies: ['textBody' | 'htmlBody', string][] = []
  if (template.mimeType !== 'text/html') bodies.push(['textBody', template.textBody])
  if (template.mimeType !== 'text/plain') bodies.push(['htmlBody', template.htmlBody])
  for (const [field, body] of bodies) {
    if (!containsTokenMacro(body)) {
      throw new EdgepassError(
        'template_missing_token',
        `The ${field} must contain $!{url}, $!{sptoken} or $!{sptokenNameValuePair}.`,
        { field },
      )
    }
  }
}
