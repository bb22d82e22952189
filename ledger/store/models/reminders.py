"""Reminder tables (assignments, outbox): see migrations/versions/0003_reminders.py."""
