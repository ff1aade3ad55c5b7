"""Step 3: "upload" the summary (copy it to build/uploaded/)."""

import shutil
from pathlib import Path

target = Path("build/uploaded")
target.mkdir(parents=True, exist_ok=True)
shutil.copy("build/summary.json", target / "summary.json")
print(f"uploaded to {target}/summary.json")
