"""The worklist API (FastAPI): ``create_app(settings)`` builds it; nothing happens at import.

This package never imports OR-Tools: plan runs call ``pipeline.plan_shift`` in spawned
worker processes (``api/runner.py``).
"""

from hjemmetjeneste.api.app import app_from_environment, create_app

__all__ = ["app_from_environment", "create_app"]
