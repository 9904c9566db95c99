/**
 * The one drizzle schema, shared by libSQL (Bun, Turso) and D1 (Workers).
 *
 * Rules (DESIGN.md, "Portable SQL"): no database-level ON DELETE CASCADE (D1 cascades through
 * drizzle-kit's table rebuilds, so the application deletes children itself in one batch);
 * every row belongs to a tenant; timestamps are milliseconds since the epoch; names that are
 * unique "case-insensitively" get a unique index on `lower(name)`.
 */
import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

const timestamps = {
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  modifiedAt: integer('modified_at', { mode: 'timestamp_ms' }).notNull(),
}

/** Custom data: a JSON object owned by its resource, with its own modification time. */
const customData = {
  customData: text('custom_data').notNull().default('{}'),
  customDataModifiedAt: integer('custom_data_modified_at', { mode: 'timestamp_ms' }),
}

/** ENABLED / DISABLED for most resources; accounts also have UNVERIFIED. */
const status = text('status').notNull().default('ENABLED')

/** A tenant: one isolated user directory space, one OIDC issuer, one LDAP suffix. */
export const tenants = sqliteTable('tenants', {
  id: text('id').primaryKey(),
  /** Stormpath's tenant `key`: lower-case, unique, used in URLs (`/t/{nameKey}/openid`). */
  nameKey: text('name_key').notNull().unique(),
  name: text('name').notNull(),
  /** Optimistic concurrency: updates are `WHERE version = ?` and bump it. */
  version: integer('version').notNull().default(1),
  ...timestamps,
  /** The first administrator: cannot be deleted (4001) nor change status (4002). */
  ownerAccountId: text('owner_account_id'),
  /** Report every login failure as 7104 instead of 7100–7107. */
  genericLoginErrors: integer('generic_login_errors', { mode: 'boolean' }).notNull().default(false),
  /** Every account must have a second factor to sign in (Cloudron's "Mandatory 2FA"). */
  mandatoryMfa: integer('mandatory_mfa', { mode: 'boolean' }).notNull().default(false),
  /** Users cannot change their own email and full name; administrators still can. */
  lockProfile: integer('lock_profile', { mode: 'boolean' }).notNull().default(false),
  ...customData,
})

export const directories = sqliteTable(
  'directories',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    status,
    /** `stormpath` for local directories; `ldap` for mirrors (issue "External directory"). */
    providerId: text('provider_id').notNull().default('stormpath'),
    /** The tenant's "Stormpath Administrators" directory: its accounts may call `/v1`. */
    isAdmin: integer('is_admin', { mode: 'boolean' }).notNull().default(false),
    version: integer('version').notNull().default(1),
    ...timestamps,
    ...customData,
  },
  (t) => [uniqueIndex('directories_tenant_name').on(t.tenantId, sql`lower(${t.name})`)],
)

/**
 * A directory's password, account creation and account locking policies: three Stormpath
 * resources (`/passwordPolicies/{dirId}`, `/accountCreationPolicies/{dirId}`,
 * `/accountLockingPolicies/{dirId}`), one row, created and deleted with the directory.
 */
export const directoryPolicies = sqliteTable('directory_policies', {
  directoryId: text('directory_id').primaryKey(),
  tenantId: text('tenant_id').notNull(),
  resetTokenTtlHours: integer('reset_token_ttl_hours').notNull().default(24),
  resetEmailStatus: text('reset_email_status').notNull().default('ENABLED'),
  resetSuccessEmailStatus: text('reset_success_email_status').notNull().default('DISABLED'),
  minLength: integer('min_length').notNull().default(8),
  maxLength: integer('max_length').notNull().default(100),
  minLowerCase: integer('min_lower_case').notNull().default(1),
  minUpperCase: integer('min_upper_case').notNull().default(1),
  minNumeric: integer('min_numeric').notNull().default(1),
  minSymbol: integer('min_symbol').notNull().default(0),
  minDiacritic: integer('min_diacritic').notNull().default(0),
  preventReuse: integer('prevent_reuse').notNull().default(0),
  verificationEmailStatus: text('verification_email_status').notNull().default('DISABLED'),
  verificationSuccessEmailStatus: text('verification_success_email_status')
    .notNull()
    .default('DISABLED'),
  welcomeEmailStatus: text('welcome_email_status').notNull().default('DISABLED'),
  /** JSON arrays of `*domain` patterns. */
  emailDomainWhitelist: text('email_domain_whitelist').notNull().default('[]'),
  emailDomainBlacklist: text('email_domain_blacklist').notNull().default('[]'),
  maxFailedLoginAttempts: integer('max_failed_login_attempts').notNull().default(3),
  accountLockDurationSeconds: integer('account_lock_duration_seconds').notNull().default(900),
  accountLockedEmailStatus: text('account_locked_email_status').notNull().default('DISABLED'),
  ...timestamps,
})

export const accounts = sqliteTable(
  'accounts',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    directoryId: text('directory_id').notNull(),
    /** Stored lower-case: unique per directory, matched case-insensitively. */
    email: text('email').notNull(),
    username: text('username').notNull(),
    givenName: text('given_name').notNull().default(''),
    middleName: text('middle_name').notNull().default(''),
    surname: text('surname').notNull().default(''),
    status,
    emailVerificationStatus: text('email_verification_status').notNull().default('UNKNOWN'),
    /** PHC string (argon2id), or an imported bcrypt / `$stormpath2$` hash until the next login. */
    passwordHash: text('password_hash'),
    passwordModifiedAt: integer('password_modified_at', { mode: 'timestamp_ms' }),
    /** JSON array of the previous password hashes, newest first (policy `preventReuse`). */
    passwordHistory: text('password_history').notNull().default('[]'),
    failedLoginAttempts: integer('failed_login_attempts').notNull().default(0),
    lastLoginAttemptAt: integer('last_login_attempt_at', { mode: 'timestamp_ms' }),
    version: integer('version').notNull().default(1),
    ...timestamps,
    ...customData,
    /**
     * An external directory's account (issue "External directory connector"): the entry's
     * stable id there (`entryUUID`, `objectGUID`, Edgepass's `uid`), never its name or DN.
     */
    externalId: text('external_id'),
    /** When a sync last found the entry gone: the account stays, and cannot log in. */
    missingAt: integer('missing_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    uniqueIndex('accounts_directory_external').on(t.directoryId, t.externalId),
    uniqueIndex('accounts_directory_email').on(t.directoryId, t.email),
    uniqueIndex('accounts_directory_username').on(t.directoryId, sql`lower(${t.username})`),
    index('accounts_directory_created').on(t.directoryId, t.createdAt, t.id),
    index('accounts_tenant_email').on(t.tenantId, t.email),
  ],
)

export const groups = sqliteTable(
  'groups',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    directoryId: text('directory_id').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    status,
    version: integer('version').notNull().default(1),
    ...timestamps,
    ...customData,
    /** An external directory's group: the entry's stable id there (see accounts.externalId). */
    externalId: text('external_id'),
  },
  (t) => [
    uniqueIndex('groups_directory_name').on(t.directoryId, sql`lower(${t.name})`),
    uniqueIndex('groups_directory_external').on(t.directoryId, t.externalId),
  ],
)

export const groupMemberships = sqliteTable(
  'group_memberships',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    accountId: text('account_id').notNull(),
    groupId: text('group_id').notNull(),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('group_memberships_account_group').on(t.accountId, t.groupId),
    index('group_memberships_group').on(t.groupId),
  ],
)

export const applications = sqliteTable(
  'applications',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    status,
    /** JSON array of URIs. */
    authorizedCallbackUris: text('authorized_callback_uris').notNull().default('[]'),
    /** The tenant's "Stormpath" application, through which administrators log in. */
    isAdmin: integer('is_admin', { mode: 'boolean' }).notNull().default(false),
    version: integer('version').notNull().default(1),
    ...timestamps,
    ...customData,
  },
  (t) => [uniqueIndex('applications_tenant_name').on(t.tenantId, sql`lower(${t.name})`)],
)

export const organizations = sqliteTable(
  'organizations',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    name: text('name').notNull(),
    /** Lower-case `[a-z0-9-]`, unique per tenant; how login attempts select an organization. */
    nameKey: text('name_key').notNull(),
    description: text('description').notNull().default(''),
    status,
    version: integer('version').notNull().default(1),
    ...timestamps,
    ...customData,
  },
  (t) => [
    uniqueIndex('organizations_tenant_name').on(t.tenantId, sql`lower(${t.name})`),
    uniqueIndex('organizations_tenant_name_key').on(t.tenantId, t.nameKey),
  ],
)

/**
 * Account store mappings of applications (`/accountStoreMappings`) and of organizations
 * (`/organizationAccountStoreMappings`): one table, told apart by `ownerType`.
 */
export const accountStoreMappings = sqliteTable(
  'account_store_mappings',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    ownerType: text('owner_type', { enum: ['application', 'organization'] }).notNull(),
    ownerId: text('owner_id').notNull(),
    storeType: text('store_type', { enum: ['directory', 'group', 'organization'] }).notNull(),
    storeId: text('store_id').notNull(),
    listIndex: integer('list_index').notNull(),
    isDefaultAccountStore: integer('is_default_account_store', { mode: 'boolean' })
      .notNull()
      .default(false),
    isDefaultGroupStore: integer('is_default_group_store', { mode: 'boolean' })
      .notNull()
      .default(false),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('account_store_mappings_owner_store').on(t.ownerId, t.storeId),
    index('account_store_mappings_store').on(t.storeId),
  ],
)

export const apiKeys = sqliteTable(
  'api_keys',
  {
    /** The public key id, also the resource id (`/apiKeys/{id}`). */
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    accountId: text('account_id').notNull(),
    /** The secret sealed with the master key (it must stay retrievable: SAuthc1, HS256). */
    secretSealed: text('secret_sealed').notNull(),
    status,
    name: text('name').notNull().default(''),
    description: text('description').notNull().default(''),
    ...timestamps,
  },
  (t) => [index('api_keys_account').on(t.accountId)],
)

/** Cookie sessions of the management API (`POST /login`); the cookie holds a random token. */
export const apiSessions = sqliteTable(
  'api_sessions',
  {
    /** SHA-256 of the cookie's token, hex: a database leak does not yield usable cookies. */
    tokenHash: text('token_hash').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    accountId: text('account_id').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('api_sessions_account').on(t.accountId)],
)

/** SAuthc1 nonces seen inside the ±15 minute window, to refuse replays. */
export const usedNonces = sqliteTable(
  'used_nonces',
  {
    apiKeyId: text('api_key_id').notNull(),
    nonce: text('nonce').notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.apiKeyId, t.nonce] })],
)

/** Fixed-window counters for rate limits, shared by every instance through the database. */
export const rateLimits = sqliteTable('rate_limits', {
  key: text('key').primaryKey(),
  windowStart: integer('window_start').notNull(),
  count: integer('count').notNull(),
})

/**
 * Single-use account tokens (email verification, password reset): only the SHA-256 of the
 * token is stored, so a database leak yields no usable links. Consumption is guarded by a
 * `used_nonces` row (scope `account-token`) in the same batch, so two concurrent uses cannot
 * both succeed.
 */
export const accountTokens = sqliteTable(
  'account_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    accountId: text('account_id').notNull(),
    purpose: text('purpose', { enum: ['email_verification', 'password_reset'] }).notNull(),
    /** The application the token was requested through (password reset), for its mails. */
    applicationId: text('application_id'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('account_tokens_account').on(t.accountId, t.purpose)],
)

/**
 * A directory's email template per workflow step (`/emailTemplates/{id}`), created from the
 * defaults in `src/mail/defaults.ts` the first time the directory needs it. Null sender fields
 * and link base mean "the deployment's default" (EMAIL_FROM, `${BASE_URL}/ui/…`).
 */
export const emailTemplates = sqliteTable(
  'email_templates',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    directoryId: text('directory_id').notNull(),
    workflow: text('workflow', {
      enum: [
        'verification',
        'verificationSuccess',
        'welcome',
        'reset',
        'resetSuccess',
        'accountLocked',
      ],
    }).notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    fromName: text('from_name'),
    fromEmailAddress: text('from_email_address'),
    subject: text('subject').notNull(),
    textBody: text('text_body').notNull(),
    htmlBody: text('html_body').notNull(),
    mimeType: text('mime_type', {
      enum: ['text/plain', 'text/html', 'multipart/alternative'],
    }).notNull(),
    linkBaseUrl: text('link_base_url'),
    ...timestamps,
  },
  (t) => [uniqueIndex('email_templates_directory_workflow').on(t.directoryId, t.workflow)],
)

/**
 * Every outgoing mail, written in the same batch as the change that caused it, then delivered
 * by the sender (Resend) with retries. Bodies carry links with tokens, so they are sealed.
 */
export const outbox = sqliteTable(
  'outbox',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    accountId: text('account_id'),
    workflow: text('workflow').notNull(),
    toAddress: text('to_address').notNull(),
    /** `Name <address>` or a bare address, as Resend's `from` takes it. */
    fromAddress: text('from_address').notNull(),
    subject: text('subject').notNull(),
    /** Sealed JSON `{text?, html?}` (context `outbox:<id>`). */
    bodySealed: text('body_sealed').notNull(),
    /** queued → sent | failed; `logged` when no transport is configured (no RESEND_API_KEY). */
    status: text('status', { enum: ['queued', 'sent', 'failed', 'logged'] })
      .notNull()
      .default('queued'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    providerMessageId: text('provider_message_id'),
    /** When the sender may next pick it up (also the lease while an attempt is in flight). */
    nextAttemptAt: integer('next_attempt_at', { mode: 'timestamp_ms' }).notNull(),
    sentAt: integer('sent_at', { mode: 'timestamp_ms' }),
    ...timestamps,
  },
  (t) => [
    index('outbox_due').on(t.status, t.nextAttemptAt),
    index('outbox_tenant_created').on(t.tenantId, t.createdAt, t.id),
  ],
)

/**
 * An application's OpenID Connect client (issue "OpenID Connect provider"): one per application,
 * its `client_id` public, its secret stored as SHA-256 (32 random bytes, so unsalted is enough).
 * List-valued settings are JSON arrays.
 */
export const oidcClients = sqliteTable(
  'oidc_clients',
  {
    /** The `client_id`. */
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    applicationId: text('application_id').notNull(),
    /** Hex SHA-256 of the secret; null for public clients (`none`). */
    secretHash: text('secret_hash'),
    tokenEndpointAuthMethod: text('token_endpoint_auth_method', {
      enum: ['client_secret_basic', 'client_secret_post', 'none'],
    })
      .notNull()
      .default('client_secret_basic'),
    redirectUris: text('redirect_uris').notNull().default('[]'),
    postLogoutRedirectUris: text('post_logout_redirect_uris').notNull().default('[]'),
    grantTypes: text('grant_types').notNull().default('["authorization_code","refresh_token"]'),
    idTokenSignedResponseAlg: text('id_token_signed_response_alg', { enum: ['RS256', 'EdDSA'] })
      .notNull()
      .default('RS256'),
    /** Origins allowed to call token, userinfo and revocation from a browser. */
    corsOrigins: text('cors_origins').notNull().default('[]'),
    /** `scope`: claims of granted scopes also in the ID token; `minimal`: only in userinfo. */
    idTokenClaims: text('id_token_claims', { enum: ['scope', 'minimal'] })
      .notNull()
      .default('scope'),
    /** `sub` is the username (Cloudron) or the account id. */
    subjectType: text('subject_type', { enum: ['username', 'id'] })
      .notNull()
      .default('username'),
    /** First-party client: no consent screen. */
    trusted: integer('trusted', { mode: 'boolean' }).notNull().default(false),
    /** Issue a refresh token even without `offline_access`. */
    alwaysIssueRefreshToken: integer('always_issue_refresh_token', { mode: 'boolean' })
      .notNull()
      .default(false),
    /** JSON object: claim name → account custom data key. */
    customClaims: text('custom_claims').notNull().default('{}'),
    accessTokenTtlSeconds: integer('access_token_ttl_seconds').notNull().default(3600),
    idTokenTtlSeconds: integer('id_token_ttl_seconds').notNull().default(3600),
    refreshTokenTtlSeconds: integer('refresh_token_ttl_seconds')
      .notNull()
      .default(14 * 24 * 3600),
    version: integer('version').notNull().default(1),
    ...timestamps,
  },
  (t) => [uniqueIndex('oidc_clients_application').on(t.applicationId)],
)

/**
 * A tenant's signing keys: `next` (published, not signing) → `active` (signs; one per alg) →
 * `retired` (published until every token it signed has expired) → deleted.
 */
export const signingKeys = sqliteTable(
  'signing_keys',
  {
    kid: text('kid').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    alg: text('alg', { enum: ['RS256', 'EdDSA'] }).notNull(),
    state: text('state', { enum: ['next', 'active', 'retired'] }).notNull(),
    /** The public JWK, JSON. */
    publicJwk: text('public_jwk').notNull(),
    /** The private JWK, JSON, sealed with SECRET_KEY (context `signing-key:<kid>`). */
    privateJwkSealed: text('private_jwk_sealed').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    activatedAt: integer('activated_at', { mode: 'timestamp_ms' }),
    retiredAt: integer('retired_at', { mode: 'timestamp_ms' }),
    /** When a retired key may be deleted: its last token has expired. */
    deleteAfter: integer('delete_after', { mode: 'timestamp_ms' }),
  },
  (t) => [index('signing_keys_tenant').on(t.tenantId, t.alg, t.state)],
)

/** A pending authorization request, between `/auth` and the resume after login and consent. */
export const oidcInteractions = sqliteTable('oidc_interactions', {
  /** 32 random bytes, base64url: in the interaction URL. */
  id: text('id').primaryKey(),
  tenantId: text('tenant_id').notNull(),
  clientId: text('client_id').notNull(),
  /** The validated authorization parameters, JSON. */
  params: text('params').notNull(),
  /** Hex SHA-256 of the browser-binding cookie's value. */
  browserHash: text('browser_hash').notNull(),
  /** Set once the user has logged in during this interaction. */
  accountId: text('account_id'),
  authTime: integer('auth_time', { mode: 'timestamp_ms' }),
  /** JSON array of `amr` values. */
  amr: text('amr').notNull().default('[]'),
  /** Set once the user has consented. */
  consentedScope: text('consented_scope'),
  /** The account that passed its password and still owes a second factor (no session yet). */
  mfaAccountId: text('mfa_account_id'),
  /** The TOTP factor it is enrolling, when the tenant's mandatory 2FA made it set one up. */
  mfaSetupFactorId: text('mfa_setup_factor_id'),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
})

/** An SSO session: one per browser per tenant; the cookie holds a token, the row its hash. */
export const oidcSessions = sqliteTable(
  'oidc_sessions',
  {
    /** Hex SHA-256 of the cookie's token. */
    tokenHash: text('token_hash').primaryKey(),
    /** Public id (`sid` claim, session listing). */
    id: text('id').notNull().unique(),
    tenantId: text('tenant_id').notNull(),
    accountId: text('account_id').notNull(),
    authTime: integer('auth_time', { mode: 'timestamp_ms' }).notNull(),
    amr: text('amr').notNull().default('[]'),
    userAgent: text('user_agent').notNull().default(''),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('oidc_sessions_account').on(t.accountId)],
)

/** What an account has granted a client (consent), remembered per client and scope set. */
export const oidcGrants = sqliteTable(
  'oidc_grants',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    clientId: text('client_id').notNull(),
    accountId: text('account_id').notNull(),
    /** The session the grant was made in (revoking it revokes the grant's refresh tokens). */
    sessionId: text('session_id'),
    /** Space-separated granted scopes. */
    scope: text('scope').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('oidc_grants_account_client').on(t.accountId, t.clientId)],
)

/**
 * Authorization codes, access tokens and refresh tokens: opaque 32-byte values stored as
 * SHA-256. Codes and refresh tokens are single use (`consumedAt`); reuse revokes the grant.
 */
export const oidcTokens = sqliteTable(
  'oidc_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    kind: text('kind', { enum: ['code', 'access', 'refresh'] }).notNull(),
    tenantId: text('tenant_id').notNull(),
    clientId: text('client_id').notNull(),
    /** Null for client_credentials access tokens. */
    grantId: text('grant_id'),
    accountId: text('account_id'),
    sessionId: text('session_id'),
    scope: text('scope').notNull(),
    /** Code: the redirect URI, nonce, PKCE challenge, auth time and amr, JSON. */
    details: text('details').notNull().default('{}'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    consumedAt: integer('consumed_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('oidc_tokens_grant').on(t.grantId), index('oidc_tokens_account').on(t.accountId)],
)

/**
 * A second factor of an account. `google-authenticator` (TOTP, RFC 6238): the seed sealed with
 * the master key; `lastUsedStep` is the last accepted time step, so a code is accepted once.
 */
export const mfaFactors = sqliteTable(
  'mfa_factors',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    accountId: text('account_id').notNull(),
    type: text('type', { enum: ['google-authenticator'] }).notNull(),
    /** The label and issuer shown in the authenticator app. */
    accountName: text('account_name').notNull(),
    issuer: text('issuer').notNull(),
    secretSealed: text('secret_sealed').notNull(),
    /** ENABLED / DISABLED: a disabled factor is kept but not asked for. */
    status,
    /** UNVERIFIED until a first code confirms the enrolment. */
    verificationStatus: text('verification_status', { enum: ['UNVERIFIED', 'VERIFIED'] })
      .notNull()
      .default('UNVERIFIED'),
    lastUsedStep: integer('last_used_step'),
    ...timestamps,
  },
  (t) => [index('mfa_factors_account').on(t.accountId)],
)

/** A Stormpath challenge of a factor: one verification attempt, kept for its resource. */
export const mfaChallenges = sqliteTable(
  'mfa_challenges',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    factorId: text('factor_id').notNull(),
    accountId: text('account_id').notNull(),
    status: text('status', { enum: ['CREATED', 'SUCCESS', 'FAILED', 'EXPIRED'] })
      .notNull()
      .default('CREATED'),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    ...timestamps,
  },
  (t) => [index('mfa_challenges_factor').on(t.factorId)],
)

/** Single-use recovery codes: only their SHA-256 is kept; `usedAt` marks the spent ones. */
export const mfaRecoveryCodes = sqliteTable(
  'mfa_recovery_codes',
  {
    codeHash: text('code_hash').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    accountId: text('account_id').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    usedAt: integer('used_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('mfa_recovery_codes_account').on(t.accountId)],
)

/**
 * A passkey (WebAuthn credential) of an account: a second factor, and a passwordless first one
 * (discoverable credentials). The public key is public; the counter and backup flags are kept
 * as the authenticator reports them.
 */
export const passkeys = sqliteTable(
  'passkeys',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    accountId: text('account_id').notNull(),
    /** The credential id, base64url, as authenticators present it. */
    credentialId: text('credential_id').notNull(),
    /** COSE public key, base64url. */
    publicKey: text('public_key').notNull(),
    counter: integer('counter').notNull().default(0),
    /** JSON array of transports (`internal`, `hybrid`, `usb`, …). */
    transports: text('transports').notNull().default('[]'),
    deviceType: text('device_type', { enum: ['singleDevice', 'multiDevice'] }).notNull(),
    backedUp: integer('backed_up', { mode: 'boolean' }).notNull().default(false),
    name: text('name').notNull(),
    lastUsedAt: integer('last_used_at', { mode: 'timestamp_ms' }),
    ...timestamps,
  },
  (t) => [
    index('passkeys_account').on(t.accountId),
    uniqueIndex('passkeys_credential').on(t.tenantId, t.credentialId),
  ],
)

/** A WebAuthn challenge: single use (deleted when used), with an expiry. */
export const webauthnChallenges = sqliteTable('webauthn_challenges', {
  id: text('id').primaryKey(),
  tenantId: text('tenant_id').notNull(),
  purpose: text('purpose', { enum: ['registration', 'authentication'] }).notNull(),
  /** The account it was issued for; null for a passwordless sign-in (any passkey may answer). */
  accountId: text('account_id'),
  challenge: text('challenge').notNull(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
})

/**
 * A tenant's LDAP server settings (issue "LDAP directory server", item 6): off until enabled;
 * the suffix its tree hangs under; the addresses allowed to connect; the admin bind's secret,
 * kept only as a SHA-256 (256 random bits, shown once).
 */
export const ldapSettings = sqliteTable(
  'ldap_settings',
  {
    tenantId: text('tenant_id').primaryKey(),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(false),
    /** e.g. `dc=acme` or `dc=cloudron`; unique across tenants (one server serves them all). */
    suffix: text('suffix').notNull(),
    /** JSON array of CIDR blocks. */
    allowlist: text('allowlist').notNull(),
    adminSecretHash: text('admin_secret_hash'),
    ...timestamps,
  },
  (t) => [uniqueIndex('ldap_settings_suffix').on(sql`lower(${t.suffix})`)],
)

/** An application's LDAP bind secret (`cn={applicationId},ou=apps,{suffix}`), hashed. */
export const ldapAppSecrets = sqliteTable('ldap_app_secrets', {
  applicationId: text('application_id').primaryKey(),
  tenantId: text('tenant_id').notNull(),
  secretHash: text('secret_hash').notNull(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
})

/**
 * A counter per tenant that triggers (migration 0008) bump whenever something the LDAP tree is
 * built from changes: accounts (not their login counters), groups, memberships, directories,
 * applications, mappings, organizations and the LDAP settings. The LDAP worker polls this small
 * table and rebuilds only the tenants whose counter moved, so a change through `/v1` or the OIDC
 * pages shows over LDAP within a poll interval without rereading the directory per request.
 */
export const directoryRevisions = sqliteTable('directory_revisions', {
  tenantId: text('tenant_id').primaryKey(),
  revision: integer('revision').notNull().default(0),
})

/**
 * An external directory's connection (issue "External directory connector"): a Directory whose
 * `provider_id` is `ldap` has one row. `settings` is JSON without secrets (see
 * src/directory/external/settings.ts); the service bind password is sealed with SECRET_KEY.
 */
export const directoryProviders = sqliteTable('directory_providers', {
  directoryId: text('directory_id').primaryKey(),
  tenantId: text('tenant_id').notNull(),
  settings: text('settings').notNull(),
  bindPasswordSealed: text('bind_password_sealed'),
  ...timestamps,
})

/**
 * One synchronisation of an external directory: queued by `POST /v1/directories/{id}/sync` or
 * the schedule, claimed and run by the sync worker (a lease keeps two from running at once),
 * polled through `/v1/directorySyncRuns/{id}`. Counts and the log are filled as it goes.
 */
export const directorySyncRuns = sqliteTable(
  'directory_sync_runs',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    directoryId: text('directory_id').notNull(),
    trigger: text('trigger', { enum: ['manual', 'schedule'] }).notNull(),
    state: text('state', { enum: ['queued', 'running', 'succeeded', 'failed'] }).notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    startedAt: integer('started_at', { mode: 'timestamp_ms' }),
    finishedAt: integer('finished_at', { mode: 'timestamp_ms' }),
    /** While running: the worker renews it; a run whose lease lapsed may be taken over. */
    leaseExpiresAt: integer('lease_expires_at', { mode: 'timestamp_ms' }),
    /** Entries to process (known once the search is done) and processed so far. */
    total: integer('total').notNull().default(0),
    processed: integer('processed').notNull().default(0),
    seen: integer('seen').notNull().default(0),
    created: integer('created').notNull().default(0),
    updated: integer('updated').notNull().default(0),
    unchanged: integer('unchanged').notNull().default(0),
    missing: integer('missing').notNull().default(0),
    conflicts: integer('conflicts').notNull().default(0),
    groups: integer('groups').notNull().default(0),
    /** JSON array of `{ kind, message, entry? }`: conflicts and errors, capped. */
    log: text('log').notNull().default('[]'),
  },
  (t) => [index('directory_sync_runs_directory').on(t.directoryId, t.createdAt)],
)
