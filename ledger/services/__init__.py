"""Use cases, one transaction each. They take an open Ledger and return plain, JSON-ready values."""
