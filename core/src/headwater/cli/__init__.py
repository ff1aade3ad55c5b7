"""The `headwater` command line (click). click is imported only inside this package,
so `import headwater` stays light; `main.py` assembles the command groups."""
