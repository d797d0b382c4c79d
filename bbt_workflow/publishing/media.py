"""Files an adapter uploads to the portal along with an item (the WordPress feature image).

The relay reads the bytes of the item's media and hands them to the adapter; the adapter
matches them to the ninjs document's associations by `uri`.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class MediaFile:
    uri: str  # the ninjs association uri, e.g. urn:bbt:<site>:media:<id>
    filename: str
    content_type: str
    data: bytes = b""

    def __repr__(self):  # never dump the bytes into logs
        return f"MediaFile(uri={self.uri!r}, filename={self.filename!r}, content_type={self.content_type!r}, {len(self.data)} bytes)"


def media_by_uri(media) -> dict[str, MediaFile]:
    """{uri: MediaFile} from a sequence of MediaFile (None or empty: {})."""
    return {file.uri: file for file in (media or ())}
