"""`claims report`: accuracy reports on repeat forecasters."""

from __future__ import annotations
