"""Files handed to the browser as downloads, with headers that keep them private and inert."""
from flask import Response


def download_response(content, mimetype, filename):
    # content_type, not mimetype: werkzeug appends "; charset=utf-8" to a text/* mimetype, and the CSV's
    # type already names its charset (it was sent twice).
    return Response(content, content_type=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store"})
