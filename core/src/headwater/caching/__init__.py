"""Caching: a task run whose cache key matches a stored record returns that result.

Policies (`headwater.cache_policies`) say what the key is made of, hashing
(`hashing`) makes keys stable across processes, `store` reads and writes the
records, and `engine` holds the rules the task engine applies.
"""
