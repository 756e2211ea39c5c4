-- Placeholder keeping the numbering continuous on this branch: another change brings the
-- real migration 0009 with this same file name, which replaces this one when merged.
SELECT 1;
