-- A site may also be served at the root of its own domain. Each deployment says which domain
-- it claims; the site's row holds its live deployment's, unique across sites, so that a
-- request's Host names at most one site and two sites cannot both make a claim live.
ALTER TABLE deployments ADD COLUMN domain TEXT;
ALTER TABLE sites ADD COLUMN domain TEXT;
CREATE UNIQUE INDEX sites_by_domain ON sites (domain);
