"""`claims due`, `reviewer`, `assign`, `scheduler`, `reminders`, `calendar`: lapsed deadlines and reminders."""

from __future__ import annotations
