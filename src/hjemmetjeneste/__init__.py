"""hjemmetjeneste: an open-source planner for Norwegian municipal home care."""

__version__ = "0.1.0"
