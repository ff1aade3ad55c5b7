"""Step 2: check the summary; a non-zero exit stops the pipeline (fail-fast)."""

import json
import sys
from pathlib import Path

summary = json.loads(Path("build/summary.json").read_text())
if summary["rows"] != 10 or summary["total"] != 385:
    print(f"invalid summary: {summary}", file=sys.stderr)
    sys.exit(1)
print("summary is valid")
