"""Result persistence: task results written to a file system block so that later
runs, other processes and other machines can read them back (and so caching
works across them). See `headwater.caching` for when results are looked up.
"""
