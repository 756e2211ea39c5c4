-- Placeholder on branch s18-develop only, so the migrations stay numbered without a gap
-- until the real 0016_organisation_roles lands from its own branch: at the merge, take theirs.
SELECT 1;
