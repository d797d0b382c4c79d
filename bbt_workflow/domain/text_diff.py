"""Word-level differences between two texts, so authors see what the editor changed."""
import difflib
import re

_TOKENS = re.compile(r"\s+|[^\s]+")


def word_diff(old, new):
    """[(op, text)] with op in equal / insert / delete; joining the equal+delete parts
    gives `old`, joining equal+insert gives `new`."""
    a, b = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    ops = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            ops.append(("equal", "".join(a[i1:i2])))
        if tag in ("delete", "replace"):
            ops.append(("delete", "".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            ops.append(("insert", "".join(b[j1:j2])))
    return ops
