"""Every UI string is in the catalogs, and the Vietnamese catalog translates all of them."""
import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]


def _msgids(catalog):
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


def test_vietnamese_catalog_is_complete_and_current(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [str(Path(sys.executable).parent / "pybabel"), "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "N_", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with open(pot, "rb") as f:
        extracted = _msgids(read_po(f))
    with open(ROOT / "bbt_workflow/translations/vi/LC_MESSAGES/messages.po", "rb") as f:
        vi = read_po(f, locale="vi")
    missing = sorted(extracted - _msgids(vi))
    assert missing == [], "run pybabel update (README, Translations) and translate these"
    untranslated = sorted(m.id for m in vi if m.id and (not m.string or m.fuzzy) and m.id in extracted)
    assert untranslated == []
    for message in vi:
        if message.id and isinstance(message.id, str) and "%(" in message.id:
            # Placeholders survive translation.
            import re

            assert set(re.findall(r"%\(\w+\)\w", message.id)) == set(re.findall(r"%\(\w+\)\w", message.string)), message.id


def test_catalogs_compile(tmp_path):
    """pybabel compile refuses a catalog whose placeholders do not match (the run and test scripts stop on it)."""
    for lang in ("vi", "en"):
        result = subprocess.run(
            [str(Path(sys.executable).parent / "pybabel"), "compile", "-l", lang,
             "-i", str(ROOT / f"bbt_workflow/translations/{lang}/LC_MESSAGES/messages.po"),
             "-o", str(tmp_path / f"{lang}.mo")],
            cwd=ROOT, capture_output=True, text=True,
        )
        assert result.returncode == 0, result.stderr
        # A malformed entry (a msgid with no msgstr) is only a warning to pybabel, but the parser then
        # skips or mis-joins entries: the catalogs must read cleanly.
        assert "WARNING" not in result.stdout + result.stderr, result.stdout[:2000]



FORMAT_SPECS = re.compile(r"%%|%\(\w+\)[sdfr]")


def test_formatted_strings_have_no_lone_percent(tmp_path):
    """Jinja's gettext %-formats every string, and Python's formats those given variables: a literal
    % must be %% there, in the msgid and in its Vietnamese translation ("limit 50%" answered 500)."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [str(Path(sys.executable).parent / "pybabel"), "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "N_", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with open(pot, "rb") as f:
        extracted = read_po(f)
    with open(ROOT / "bbt_workflow/translations/vi/LC_MESSAGES/messages.po", "rb") as f:
        vi = read_po(f, locale="vi")
    bad = []
    for message in extracted:
        msgid = message.id if isinstance(message.id, str) else (message.id or [""])[0]
        if not msgid:
            continue
        in_template = any(path.startswith("templates") for path, _line in message.locations)
        if not (in_template or "%(" in msgid):
            continue
        translated = vi.get(message.id)
        texts = [msgid] + ([translated.string] if translated and isinstance(translated.string, str) else [])
        bad += [(message.locations[0], text) for text in texts if "%" in FORMAT_SPECS.sub("", text)]
    assert bad == [], "write a literal % as %% in these strings"
