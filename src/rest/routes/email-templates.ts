/**
 * Email templates (stormpath-api reference §6, §12): `/emailTemplates/{id}` and the template
 * collections of a directory's policies (`/passwordPolicies/{dirId}/resetEmailTemplates`, …).
 * Each directory has one template per workflow step, created from the defaults on first use.
 */
import { eq } from 'drizzle-orm'
import * as v from 'valibot'
import * as schema from '../../../db/schema'
import { EdgepassError } from '../../errors'
import {
  checkTemplateCarriesToken,
  ensureTemplate,
  MAIL_WORKFLOWS,
  WORKFLOW_NAMES,
} from '../../mail/templates'
import type { EmailTemplateRow } from '../../store/rows'
import { readJsonObject } from '../body'
import { picklist, readFields, text } from '../fields'
import { emailTemplateJson } from '../views/email-templates'
import { findPolicies } from '../views/policies'
import { mustFind, queryOf, resource, scope, type RestApp, type RouteDeps } from './helpers'

/** One header line: a subject with a line break could inject headers into the mail. */
const headerText = (max: number) =>
  v.pipe(
    text(0, max),
    v.check((value) => !/[\r\n]/.test(value), 'must be a single line'),
  )

const templateFields = {
  name: text(1, 255),
  description: text(0, 1000),
  fromName: v.pipe(
    headerText(255),
    v.check((value) => !/[<>"]/.test(value), 'must not contain < > or "'),
  ),
  fromEmailAddress: v.pipe(text(3, 254), v.regex(/^[^\s<>@]{1,64}@[^\s<>@]{1,253}$/)),
  subject: v.pipe(headerText(255), v.minLength(1)),
  textBody: text(0, 100_000),
  htmlBody: text(0, 500_000),
  mimeType: picklist(['text/plain', 'text/html', 'multipart/alternative'] as const),
  defaultModel: v.object({
    linkBaseUrl: v.nullable(
      v.pipe(text(1, 2000), v.url(), v.regex(/^https?:\/\//i, 'must be an http(s) URL')),
    ),
  }),
}

export function emailTemplateRoutes(app: RestApp, r: RouteDeps): void {
  const { emailTemplates } = schema
  resource(app, '/emailTemplates/:id', {
    get: async (c) => {
      const s = scope(c, r)
      return c.json(
        emailTemplateJson(
          s,
          await mustFind(s, emailTemplates, c.req.param('id')!, 'email template'),
        ),
      )
    },
    post: async (c) => {
      const s = scope(c, r)
      const row = await mustFind(s, emailTemplates, c.req.param('id')!, 'email template')
      const input = readFields(await readJsonObject(c), templateFields)
      const { defaultModel, ...fields } = input
      const changes: Partial<EmailTemplateRow> = { ...fields, modifiedAt: r.deps.now() }
      if (defaultModel) changes.linkBaseUrl = defaultModel.linkBaseUrl
      checkTemplateCarriesToken({ ...row, ...changes })
      const [updated] = await r.deps.db
        .update(emailTemplates)
        .set(changes)
        .where(eq(emailTemplates.id, row.id))
        .returning()
      if (!updated) throw new EdgepassError('not_found', 'The email template no longer exists.')
      return c.json(emailTemplateJson(s, updated))
    },
  })

  for (const workflow of WORKFLOW_NAMES) {
    const { policy, collection } = MAIL_WORKFLOWS[workflow]
    resource(app, `/${policy}/:id/${collection}`, {
      get: async (c) => {
        const s = scope(c, r)
        const policies = await findPolicies(s, c.req.param('id')!)
        if (!policies) throw new EdgepassError('not_found', 'The policy does not exist.')
        const template = await ensureTemplate(
          r.deps,
          { id: policies.directoryId, tenantId: policies.tenantId },
          workflow,
        )
        // One template per step; paging parameters are accepted and describe that one item.
        const query = queryOf(c)
        const offset = Number(query.get('offset') ?? 0) || 0
        return c.json({
          href: `${s.hrefs.of(policy, policies.directoryId)}/${collection}`,
          offset,
          limit: Math.min(Math.max(Number(query.get('limit') ?? 25) || 25, 1), 100),
          size: 1,
          items: offset === 0 ? [emailTemplateJson(s, template)] : [],
        })
      },
    })
  }
}
