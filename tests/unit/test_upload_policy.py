import io
import zipfile

import pytest

from bbt_workflow.domain.uploads import UploadRefused, check_allowed, display_name, sniff

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452")


def test_sniff_by_content_not_name():
    assert sniff(PNG)[1:] == ("image", "png")
    assert sniff(b"%PDF-1.7\n")[1:] == ("document", "pdf")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "x")
        z.writestr("word/document.xml", "x")
    assert sniff(buf.getvalue())[1:] == ("document", "docx")


@pytest.mark.parametrize("data,code", [
    (b"", "empty"),
    (b"MZ\x90\x00\x03\x00\x00\x00", "unrecognised"),  # a Windows executable named .jpg
    (b"\x7fELF\x02\x01\x01", "unrecognised"),
    (b"<svg onload=alert(1)>", "unrecognised"),
    (b"<html><script>alert(1)</script>", "unrecognised"),
    (b"PK\x03\x04plain zip", "unrecognised"),
])
def test_refused(data, code):
    with pytest.raises(UploadRefused) as info:
        sniff(data)
    assert info.value.code == code


def test_allowed_per_content_type():
    check_allowed("anh", "image")
    with pytest.raises(UploadRefused):
        check_allowed("anh", "document")
    with pytest.raises(UploadRefused):
        check_allowed("banner", "video")


def test_display_names_are_never_paths():
    assert display_name("../../etc/passwd", "png") == "passwd.png"
    assert display_name("C:\\Windows\\evil.exe", "pdf") == "evil.pdf"
    assert display_name("Ảnh hội nghị.JPG", "jpg") == "Ảnh hội nghị.jpg"
    assert display_name("\x00\x1f..", "jpg") == "tep.jpg"
