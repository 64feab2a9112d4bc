"""Write the request-body schemas the rehearsal Zoom validates request bodies against, from Zoom's documents.

    python tools/rehearsal_schemas.py [ZOOM_API_FOLDER]

Reads Zoom's OpenAPI documents (default: tests/data/zoom-api) and writes
resources/rehearsal/request-schemas.json: for each operation the rehearsal checks, its request
body's JSON schema exactly as the document has it. tests/rehearsal checks the file against the
documents, so run this again whenever they are updated.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "resources" / "rehearsal" / "request-schemas.json"
#: (document, method, path) of each request body the rehearsal validates.
OPERATIONS = (
    ("ZoomMeetingsAPI.endpoints.json", "patch", "/meetings/{meetingId}"),
    ("ZoomUsersAPI.endpoints.json", "patch", "/users/{userId}/settings"),
    ("ZoomMeetingsAPI.endpoints.json", "post", "/meetings/{meetingId}/registrants"),
    ("ZoomMeetingsAPI.endpoints.json", "post", "/meetings/{meetingId}/batch_registrants"),
)


def extract(folder: Path) -> dict[str, object]:
    schemas: dict[str, object] = {}
    for document, method, path in OPERATIONS:
        spec = json.loads((folder / document).read_text(encoding="utf-8"))
        body = spec["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
        schemas[f"{method.upper()} {path}"] = body
    return schemas


def main() -> int:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "tests" / "data" / "zoom-api"
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(extract(folder), ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
