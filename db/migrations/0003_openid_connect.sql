CREATE TABLE `oidc_clients` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`application_id` text NOT NULL,
	`secret_hash` text,
	`token_endpoint_auth_method` text DEFAULT 'client_secret_basic' NOT NULL,
	`redirect_uris` text DEFAULT '[]' NOT NULL,
	`post_logout_redirect_uris` text DEFAULT '[]' NOT NULL,
	`grant_types` text DEFAULT '["authorization_code","refresh_token"]' NOT NULL,
	`id_token_signed_response_alg` text DEFAULT 'RS256' NOT NULL,
	`cors_origins` text DEFAULT '[]' NOT NULL,
	`id_token_claims` text DEFAULT 'scope' NOT NULL,
	`subject_type` text DEFAULT 'username' NOT NULL,
	`trusted` integer DEFAULT false NOT NULL,
	`always_issue_refresh_token` integer DEFAULT false NOT NULL,
	`custom_claims` text DEFAULT '{}' NOT NULL,
	`access_token_ttl_seconds` integer DEFAULT 3600 NOT NULL,
	`id_token_ttl_seconds` integer DEFAULT 3600 NOT NULL,
	`refresh_token_ttl_seconds` integer DEFAULT 1209600 NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	`modified_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `oidc_clients_application` ON `oidc_clients` (`application_id`);--> statement-breakpoint
CREATE TABLE `oidc_grants` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`client_id` text NOT NULL,
	`account_id` text NOT NULL,
	`session_id` text,
	`scope` text NOT NULL,
	`created_at` integer NOT NULL,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE INDEX `oidc_grants_account_client` ON `oidc_grants` (`account_id`,`client_id`);--> statement-breakpoint
CREATE TABLE `oidc_interactions` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`client_id` text NOT NULL,
	`params` text NOT NULL,
	`browser_hash` text NOT NULL,
	`account_id` text,
	`auth_time` integer,
	`amr` text DEFAULT '[]' NOT NULL,
	`consented_scope` text,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `oidc_sessions` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`account_id` text NOT NULL,
	`auth_time` integer NOT NULL,
	`amr` text DEFAULT '[]' NOT NULL,
	`user_agent` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `oidc_sessions_id_unique` ON `oidc_sessions` (`id`);--> statement-breakpoint
CREATE INDEX `oidc_sessions_account` ON `oidc_sessions` (`account_id`);--> statement-breakpoint
CREATE TABLE `oidc_tokens` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`tenant_id` text NOT NULL,
	`client_id` text NOT NULL,
	`grant_id` text,
	`account_id` text,
	`session_id` text,
	`scope` text NOT NULL,
	`details` text DEFAULT '{}' NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`consumed_at` integer
);
--> statement-breakpoint
CREATE INDEX `oidc_tokens_grant` ON `oidc_tokens` (`grant_id`);--> statement-breakpoint
CREATE INDEX `oidc_tokens_account` ON `oidc_tokens` (`account_id`);--> statement-breakpoint
CREATE TABLE `signing_keys` (
	`kid` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`alg` text NOT NULL,
	`state` text NOT NULL,
	`public_jwk` text NOT NULL,
	`private_jwk_sealed` text NOT NULL,
	`created_at` integer NOT NULL,
	`activated_at` integer,
	`retired_at` integer,
	`delete_after` integer
);
--> statement-breakpoint
CREATE INDEX `signing_keys_tenant` ON `signing_keys` (`tenant_id`,`alg`,`state`);