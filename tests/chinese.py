"""The check the Chinese page tests share: which English words a page still shows."""

from __future__ import annotations

import re
from collections.abc import Iterable


def english_words(text: str, data: Iterable[str], allowed: set[str], codes: re.Pattern) -> set[str]:
    """English words in ``text`` once the known data strings and the codes are taken out, apart from ``allowed``."""
    for value in sorted(data, key=len, reverse=True):  # longest first, so no value is cut out of a longer one
        text = text.replace(value, " ")
    return set(re.findall(r"[A-Za-z]{2,}", codes.sub(" ", text))) - allowed
