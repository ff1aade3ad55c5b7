"""Prefect's `prefect.utilities.annotations` path for unmapped, allow_failure and quote."""

from headwater.annotations import BaseAnnotation, allow_failure, quote, unmapped

__all__ = ["BaseAnnotation", "allow_failure", "quote", "unmapped"]
