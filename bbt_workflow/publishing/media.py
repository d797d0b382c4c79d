"""Files an adapter uploads to the portal along with an item (the WordPress feature image).

The relay hands the adapter where the item's media are stored (`path`), and the adapter reads the
bytes only when it uploads them, so a batch of items does not hold all their photos in memory;
the adapter matches them to the ninjs document's associations by `uri`.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class MediaFile:
    uri: str  # the ninjs association uri, e.g. urn:bbt:<site>:media:<id>
    filename: str
    content_type: str
    data: bytes = b""
    path: str | None = None  # read by `read()` when no `data` is given

    def available(self):
        return bool(self.data or self.path)

    def read(self) -> bytes:
        """The bytes (b"" when the stored file is gone)."""
        if self.data or not self.path:
            return self.data
        try:
            with open(self.path, "rb") as fh:
                return fh.read()
        except OSError:
            return b""

    def __repr__(self):  # never dump the bytes into logs
        return f"MediaFile(uri={self.uri!r}, filename={self.filename!r}, content_type={self.content_type!r}, {len(self.data)} bytes)"


def media_by_uri(media) -> dict[str, MediaFile]:
    """{uri: MediaFile} from a sequence of MediaFile (None or empty: {})."""
    return {file.uri: file for file in (media or ())}
