"""Variables configure a run; artifacts report on it. No server needed.

The flow reads its settings from variables (set them from the shell with
`headwater variable set weather_cities '["Oslo", "Lima"]' --overwrite`), scores
each city in a task that publishes a progress bar and a table, and ends with a
markdown report. Each run adds a new version of every keyed artifact; see them
with `headwater artifact ls` and `headwater artifact inspect weather-report`.
"""

from datetime import datetime, timezone

from headwater import flow, task
from headwater.artifacts import (
    Artifact,
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)
from headwater.variables import Variable

READINGS = {"Oslo": [-3.5, -1.0, 0.5], "Lima": [19.0, 21.5, 20.0], "Pune": [31.0, 29.5, 30.5]}


@task
def score(cities: list[str], threshold: float) -> list[dict]:
    progress = create_progress_artifact(0.0, key="weather-progress", description="cities scored")
    rows = []
    for done, city in enumerate(cities, start=1):
        temps = READINGS.get(city, [])
        mean = sum(temps) / len(temps) if temps else float("nan")  # stored as null
        rows.append({"city": city, "mean": mean, "warm": mean >= threshold})
        update_progress_artifact(progress, 100 * done / len(cities))
    create_table_artifact(rows, key="weather-table", description="mean temperature per city")
    return rows


@flow
def weather() -> int:
    cities = Variable.get("weather_cities", default=["Oslo", "Lima", "Pune"])
    threshold = Variable.get("weather_threshold", default=15.0)
    rows = score(cities, threshold)
    warm = [r["city"] for r in rows if r["warm"]]
    create_markdown_artifact(
        f"# Weather\n\n{len(warm)} of {len(rows)} cities at or above {threshold} °C: "
        + (", ".join(warm) or "none"),
        key="weather-report",
        description="the nightly weather summary",
    )
    runs = Variable.get("weather_runs", default=0) + 1
    Variable.set("weather_runs", runs, overwrite=True)
    Variable.set("weather_last_run", datetime.now(timezone.utc).isoformat(), overwrite=True)
    return len(warm)


if __name__ == "__main__":
    warm = weather()
    report = Artifact.get("weather-report")
    print(f"warm cities: {warm}")
    print(f"runs so far: {Variable.get('weather_runs')}")
    print(f"report (flow run {report.flow_run_id}):\n{report.data}")
