"""The planner's page: static files served by the API at ``/`` (see docs/planner-page.md)."""
