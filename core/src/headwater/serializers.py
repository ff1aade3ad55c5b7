"""Prefect's `prefect.serializers` path for the result serializers."""

from headwater.persistence.serializers import JSONSerializer, PickleSerializer, Serializer

__all__ = ["JSONSerializer", "PickleSerializer", "Serializer"]
