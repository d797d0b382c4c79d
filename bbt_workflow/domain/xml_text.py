"""Text for XML files we write (the XLSX sheet, the Atom feed).

XML 1.0 forbids some characters outright (most C0 controls, U+FFFE, U+FFFF): escaping cannot help,
and one of them in a title makes the whole file unreadable, so they are left out.
"""
import re

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def without_forbidden_xml_characters(text):
    return _NOT_XML.sub("", text or "")
