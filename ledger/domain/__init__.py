"""Pure domain logic: no database, no I/O. Deadlines, dates, scoring, hedge words."""
