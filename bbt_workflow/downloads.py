"""Files handed to the browser as downloads, with headers that keep them private and inert."""
from flask import Response


def download_response(content, mimetype, filename):
    return Response(content, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store"})
