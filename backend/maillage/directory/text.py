"""French text normalisation shared by indexing and querying.

Both databases index the same pre-normalised text (unaccented, lower-case, French
Snowball stems), so that "Crèche", "creches" and "CRECHE" match alike on PostgreSQL
and SQLite and the search behaves the same on both.
"""

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_STEMMER = snowballstemmer.stemmer("french")
_WORD = re.compile(r"[a-z0-9]+")
STOP_WORDS = frozenset(
    "a au aux avec ce ces d dans de des du elle en et il la le les leur l ma mes mon n ne "
    "nos notre ou par pas pour qu que qui s sa se ses son sur ta te tes ton tu un une vos "
    "votre vous y".split()
)


def unaccent(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    if len(word) > 3 and word[-1] in "sx":
        word = word[:-1]
    return _STEMMER.stemWord(word)


def tokens(text: str | None) -> list[str]:
    """Stems of the meaningful words of ``text``, in order."""
    if not text:
        return []
    words = _WORD.findall(unaccent(text).lower().replace("’", " ").replace("'", " "))
    return [stem(w) for w in words if w not in STOP_WORDS]


def normalise(*parts: str | None) -> str:
    return " ".join(t for part in parts for t in tokens(part))
