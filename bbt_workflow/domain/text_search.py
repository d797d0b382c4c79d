"""Search text that ignores Vietnamese diacritics: "chuyen doi so" finds "chuyển đổi số"."""
import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text):
    """Lower-case, strip diacritics (đ → d included), collapse spaces."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped).strip()

# A search word: a run of letters or digits (the underscore is punctuation here). SQLite's FTS5
# "unicode61" tokenizer and the PostgreSQL index (punctuation turned into spaces first) cut the
# folded text into the same words, so both backends find the same items.
_WORD = re.compile(r"[^\W_]+")
MAX_SEARCH_WORDS = 10


def search_words(query):
    """The folded words of a search box's text, in order, at most MAX_SEARCH_WORDS."""
    return _WORD.findall(fold(query))[:MAX_SEARCH_WORDS]
