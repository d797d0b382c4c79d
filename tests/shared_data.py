"""Files of ../shared/data beside the checkout (CI lays a copy of shared/ there too)."""
from pathlib import Path

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
NINJS_SCHEMA = SHARED_DATA / "ninjs-schema_3.1.json"
XSS_PAYLOADS = SHARED_DATA / "xss-payload-list.txt"
