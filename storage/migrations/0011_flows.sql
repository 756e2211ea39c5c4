-- The command menu last published for a chat (its language and commands), so that the
-- start publishes only the menus that changed: a stranger's default menu no longer
-- carries the members' commands, and each member gets a menu of their own once.
ALTER TABLE telegram_users ADD COLUMN menu TEXT;
