CREATE TABLE `account_store_mappings` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`owner_type` text NOT NULL,
	`owner_id` text NOT NULL,
	`store_type` text NOT NULL,
	`store_id` text NOT NULL,
	`list_index` integer NOT NULL,
	`is_default_account_store` integer DEFAULT false NOT NULL,
	`is_default_group_store` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`modified_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `account_store_mappings_owner_store` ON `account_store_mappings` (`owner_id`,`store_id`);--> statement-breakpoint
CREATE INDEX `account_store_mappings_store` ON `account_store_mappings` (`store_id`);--> statement-breakpoint
CREATE TABLE `accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`directory_id` text NOT NULL,
	`email` text NOT NULL,
	`username` text NOT NULL,
	`given_name` text DEFAULT '' NOT NULL,
	`middle_name` text DEFAULT '' NOT NULL,
	`surname` text DEFAULT '' NOT NULL,
	`status` text DEFAULT 'ENABLED' NOT NULL,
	`email_verification_status` text DEFAULT 'UNKNOWN' NOT NULL,
	`password_hash` text,
	`password_modified_at` integer,
	`password_history` text DEFAULT '[]' NOT NULL,
	`failed_login_attempts` integer DEFAULT 0 NOT NULL,
	`last_login_attempt_at` integer,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	`modified_at` integer NOT NULL,
	`custom_data` text DEFAULT '{}' NOT NULL,
	`custom_data_modified_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `accounts_directory_email` ON `accounts` (`directory_id`,`email`);--> statement-breakpoint
CREATE UNIQUE INDEX `accounts_directory_username` ON `accounts` (`directory_id`,lower("username"));--> statement-breakpoint
CREATE INDEX `accounts_directory_created` ON `accounts` (`directory_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `accounts_tenant_email` ON `accounts` (`tenant_id`,`email`);--> statement-breakpoint
CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`account_id` text NOT NULL,
	`secret_sealed` text NOT NULL,
	`status` text DEFAULT 'ENABLED' NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL,
	`modified_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `api_keys_account` ON `api_keys` (`account_id`);--> statement-breakpoint
CREATE TABLE `api_sessions` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`account_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `api_sessions_account` ON `api_sessions` (`account_id`);--> statement-breakpoint
CREATE TABLE `applications` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`status` text DEFAULT 'ENABLED' NOT NULL,
	`authorized_callback_uris` text DEFAULT '[]' NOT NULL,
	`is_admin` integer DEFAULT false NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	`modified_at` integer NOT NULL,
	`custom_data` text DEFAULT '{}' NOT NULL,
	`custom_data_modified_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `applications_tenant_name` ON `applications` (`tenant_id`,lower("name"));--> statement-breakpoint
CREATE TABLE `directories` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`status` text DEFAULT 'ENABLED' NOT NULL,
	`provider_id` text DEFAULT 'stormpath' NOT NULL,
	`is_admin` integer DEFAULT false NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	`modified_at` integer NOT NULL,
	`custom_data` text DEFAULT '{}' NOT NULL,
	`custom_data_modified_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `directories_tenant_name` ON `directories` (`tenant_id`,lower("name"));--> statement-breakpoint
CREATE TABLE `directory_policies` (
	`directory_id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`reset_token_ttl_hours` integer DEFAULT 24 NOT NULL,
	`reset_email_status` text DEFAULT 'ENABLED' NOT NULL,
	`reset_success_email_status` text DEFAULT 'DISABLED' NOT NULL,
	`min_length` integer DEFAULT 8 NOT NULL,
	`max_length` integer DEFAULT 100 NOT NULL,
	`min_lower_case` integer DEFAULT 1 NOT NULL,
	`min_upper_case` integer DEFAULT 1 NOT NULL,
	`min_numeric` integer DEFAULT 1 NOT NULL,
	`min_symbol` integer DEFAULT 0 NOT NULL,
	`min_diacritic` integer DEFAULT 0 NOT NULL,
	`prevent_reuse` integer DEFAULT 0 NOT NULL,
	`verification_email_status` text DEFAULT 'DISABLED' NOT NULL,
	`verification_success_email_status` text DEFAULT 'DISABLED' NOT NULL,
	`welcome_email_status` text DEFAULT 'DISABLED' NOT NULL,
	`email_domain_whitelist` text DEFAULT '[]' NOT NULL,
	`email_domain_blacklist` text DEFAULT '[]' NOT NULL,
	`max_failed_login_attempts` integer DEFAULT 3 NOT NULL,
	`account_lock_duration_seconds` integer DEFAULT 900 NOT NULL,
	`account_locked_email_status` text DEFAULT 'DISABLED' NOT NULL,
	`created_at` integer NOT NULL,
	`modified_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `group_memberships` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`account_id` text NOT NULL,
	`group_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`modified_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `group_memberships_account_group` ON `group_memberships` (`account_id`,`group_id`);--> statement-breakpoint
CREATE INDEX `group_memberships_group` ON `group_memberships` (`group_id`);--> statement-breakpoint
CREATE TABLE `groups` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`directory_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`status` text DEFAULT 'ENABLED' NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	`modified_at` integer NOT NULL,
	`custom_data` text DEFAULT '{}' NOT NULL,
	`custom_data_modified_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `groups_directory_name` ON `groups` (`directory_id`,lower("name"));--> statement-breakpoint
CREATE TABLE `organizations` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`name` text NOT NULL,
	`name_key` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`status` text DEFAULT 'ENABLED' NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	`modified_at` integer NOT NULL,
	`custom_data` text DEFAULT '{}' NOT NULL,
	`custom_data_modified_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `organizations_tenant_name` ON `organizations` (`tenant_id`,lower("name"));--> statement-breakpoint
CREATE UNIQUE INDEX `organizations_tenant_name_key` ON `organizations` (`tenant_id`,`name_key`);--> statement-breakpoint
CREATE TABLE `rate_limits` (
	`key` text PRIMARY KEY NOT NULL,
	`window_start` integer NOT NULL,
	`count` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `used_nonces` (
	`api_key_id` text NOT NULL,
	`nonce` text NOT NULL,
	`expires_at` integer NOT NULL,
	PRIMARY KEY(`api_key_id`, `nonce`)
);
--> statement-breakpoint
ALTER TABLE `tenants` ADD `owner_account_id` text;--> statement-breakpoint
ALTER TABLE `tenants` ADD `generic_login_errors` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `tenants` ADD `custom_data` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `tenants` ADD `custom_data_modified_at` integer;