"""Partybot: a Telegram bot for the day-to-day work of a community party branch."""

__version__ = "0.1.0"
