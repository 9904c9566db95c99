ALTER TABLE `oidc_interactions` ADD `mfa_account_id` text;--> statement-breakpoint
ALTER TABLE `oidc_interactions` ADD `mfa_setup_factor_id` text;