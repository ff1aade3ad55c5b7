"""Prefect's `prefect.client` paths for the schema names user code imports.

headwater needs no API client to run: runs are recorded in the embedded store.
These modules map Prefect's schema names onto headwater's own run records and
states, so type hints and `isinstance` checks in ported code keep working.
"""
