"""Scheduler jobs: flag lapsed deadlines and deliver reminders; installed as ``ledger.jobs``."""
