"""Prefect's v1 concurrency API (`prefect.concurrency.v1`): slots on tag limits for a
task run, by tag. The same limits as `headwater concurrency-limit` manages."""
