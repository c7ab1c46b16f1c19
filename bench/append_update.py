"""Append one update (public, semi-technical and technical text) to an incident file.

    python bench/append_update.py FILE

Each call adds a later update than the file's last one, as a new commit would.
"""

from __future__ import annotations

import re
import sys
from datetime import datetime, timedelta
from pathlib import Path


def main() -> None:
    path = Path(sys.argv[1])
    text = path.read_text(encoding="utf-8")
    stamps = re.findall(r"^## (\S+) ", text, re.MULTILINE)
    last = max(datetime.fromisoformat(s.replace("Z", "+00:00")) for s in stamps)
    at = (last + timedelta(minutes=7)).strftime("%Y-%m-%dT%H:%M:%SZ")
    path.write_text(
        text.rstrip("\n")
        + f"\n\n## {at} postmortem\n\n/// public\nWe have published a review of this incident ({at}).\n///\n\n"
        + "/// semi-technical\nAccount managers have the list of affected customers.\n///\n\n"
        + "Follow-up tickets were filed for the on-call team.\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
