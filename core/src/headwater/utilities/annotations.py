"""Prefect's `prefect.utilities.annotations` path for unmapped, allow_failure, quote, opaque."""

from headwater.annotations import BaseAnnotation, allow_failure, opaque, quote, unmapped

__all__ = ["BaseAnnotation", "allow_failure", "opaque", "quote", "unmapped"]
