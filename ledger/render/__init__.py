"""Turning service results into what people read: terminal tables, JSON, CSV, Markdown, HTML, iCalendar."""
