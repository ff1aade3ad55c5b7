"""`python -m headwater ...`: the `headwater` command (as `python -m prefect`)."""

from headwater.cli.main import main

if __name__ == "__main__":
    main()
