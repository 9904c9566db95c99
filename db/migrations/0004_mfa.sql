CREATE TABLE `mfa_challenges` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`factor_id` text NOT NULL,
	`account_id` text NOT NULL,
	`status` text DEFAULT 'CREATED' NOT NULL,
	`expires_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`modified_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `mfa_challenges_factor` ON `mfa_challenges` (`factor_id`);--> statement-breakpoint
CREATE TABLE `mfa_factors` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`account_id` text NOT NULL,
	`type` text NOT NULL,
	`account_name` text NOT NULL,
	`issuer` text NOT NULL,
	`secret_sealed` text NOT NULL,
	`status` text DEFAULT 'ENABLED' NOT NULL,
	`verification_status` text DEFAULT 'UNVERIFIED' NOT NULL,
	`last_used_step` integer,
	`created_at` integer NOT NULL,
	`modified_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `mfa_factors_account` ON `mfa_factors` (`account_id`);--> statement-breakpoint
CREATE TABLE `mfa_recovery_codes` (
	`code_hash` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`account_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`used_at` integer
);
--> statement-breakpoint
CREATE INDEX `mfa_recovery_codes_account` ON `mfa_recovery_codes` (`account_id`);--> statement-breakpoint
ALTER TABLE `tenants` ADD `mandatory_mfa` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `tenants` ADD `lock_profile` integer DEFAULT false NOT NULL;