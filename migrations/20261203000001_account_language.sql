-- The account's language (docs/API.md, "Languages and accessibility"): `en` or `ko`,
-- the language of its last sign-in (the `lang` cookie, else Accept-Language). Mails
-- are written in it.
ALTER TABLE users ADD COLUMN lang TEXT NOT NULL DEFAULT 'en';
