"""The test seam: a local fake Telegram Bot API server, people who use it, the bot as a
process. Kept out of the runtime package (the wheel holds what runs)."""
