-- Which system_config rows the app may read before signing in (GET /api/v1/config): the
-- operational switches it must obey. Everything else stays for the admin panel.
ALTER TABLE system_config ADD COLUMN public BOOLEAN NOT NULL DEFAULT false;

UPDATE system_config SET public = true
 WHERE key IN ('maintenance_mode', 'registration_open', 'kyc.max_document_bytes');
