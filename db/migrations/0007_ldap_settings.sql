CREATE TABLE `ldap_app_secrets` (
	`application_id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`secret_hash` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `ldap_settings` (
	`tenant_id` text PRIMARY KEY NOT NULL,
	`enabled` integer DEFAULT false NOT NULL,
	`suffix` text NOT NULL,
	`allowlist` text NOT NULL,
	`admin_secret_hash` text,
	`created_at` integer NOT NULL,
	`modified_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ldap_settings_suffix` ON `ldap_settings` (lower("suffix"));