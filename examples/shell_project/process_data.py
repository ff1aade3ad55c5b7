"""Step 1 of the pipeline: sum the values `make build` wrote, into build/summary.json."""

import csv
import json
from pathlib import Path

rows = list(csv.DictReader(Path("build/data.csv").open()))
summary = {"rows": len(rows), "total": sum(int(r["value"]) for r in rows)}
Path("build/summary.json").write_text(json.dumps(summary))
print(f"processed {summary['rows']} rows, total {summary['total']}")
