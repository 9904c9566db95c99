import type * as schema from '../../db/schema'

/** Row types of the directory, as drizzle reads them. */
export type TenantRow = typeof schema.tenants.$inferSelect
export type DirectoryRow = typeof schema.directories.$inferSelect
export type PoliciesRow = typeof schema.directoryPolicies.$inferSelect
export type AccountRow = typeof schema.accounts.$inferSelect
export type GroupRow = typeof schema.groups.$inferSelect
export type MembershipRow = typeof schema.groupMemberships.$inferSelect
export type ApplicationRow = typeof schema.applications.$inferSelect
export type OrganizationRow = typeof schema.organizations.$inferSelect
export type MappingRow = typeof schema.accountStoreMappings.$inferSelect
export type ApiKeyRow = typeof schema.apiKeys.$inferSelect

export type Status = 'ENABLED' | 'DISABLED'
export type AccountStatus = Status | 'UNVERIFIED'
export type AccountTokenRow = typeof schema.accountTokens.$inferSelect
export type EmailTemplateRow = typeof schema.emailTemplates.$inferSelect
export type OutboxRow = typeof schema.outbox.$inferSelect
export type MailWorkflow = EmailTemplateRow['workflow']
export type OidcClientRow = typeof schema.oidcClients.$inferSelect
export type SigningKeyRow = typeof schema.signingKeys.$inferSelect
export type OidcInteractionRow = typeof schema.oidcInteractions.$inferSelect
export type OidcSessionRow = typeof schema.oidcSessions.$inferSelect
export type OidcGrantRow = typeof schema.oidcGrants.$inferSelect
export type OidcTokenRow = typeof schema.oidcTokens.$inferSelect
export type MfaFactorRow = typeof schema.mfaFactors.$inferSelect
export type MfaChallengeRow = typeof schema.mfaChallenges.$inferSelect
export type MfaRecoveryCodeRow = typeof schema.mfaRecoveryCodes.$inferSelect
export type PasskeyRow = typeof schema.passkeys.$inferSelect
export type WebauthnChallengeRow = typeof schema.webauthnChallenges.$inferSelect
export type LdapSettingsRow = typeof schema.ldapSettings.$inferSelect
