"""Fixtures and hooks for every test (this file also puts tests/ on the import path)."""
