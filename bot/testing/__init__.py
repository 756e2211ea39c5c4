"""Test utilities: a local fake Telegram Bot API server for end-to-end tests."""
