"""Decide which course topic a note belongs to."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import PurePath

_NON_WORD = re.compile(r"[^\w\s-]")
_DASHES = re.compile(r"[\s_-]+")
_WORD = re.compile(r"\w+")


def slugify(text: str) -> str:
    """Return a lowercase, hyphenated name for text ("Edge Locations" -> "edge-locations")."""
    return _DASHES.sub("-", _NON_WORD.sub("", text.casefold())).strip("-")[:80]


def _words(text: str) -> tuple[str, ...]:
    # A light stem ("zones" -> "zone") so that headings match names in either number.
    return tuple(
        w[:-1] if len(w) > 3 and w.endswith("s") else w for w in _WORD.findall(text.casefold())
    )


def _contains(haystack: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    n = len(needle)
    return n > 0 and any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def match_topic(headings: Sequence[str], topics: Mapping[str, Sequence[str]]) -> str | None:
    """Return the slug of the topic whose names appear in the most headings, or None.

    ``topics`` maps each slug to its names (title and aliases). Ties go to the topic that
    the earliest heading names.
    """
    names = {
        slug: [_words(n) for n in (slug.replace("-", " "), *ns)] for slug, ns in topics.items()
    }
    scores: dict[str, tuple[int, int]] = {}
    for position, heading in enumerate(headings):
        words = _words(heading)
        for slug, forms in names.items():
            if any(_contains(words, form) for form in forms):
                count, earliest = scores.get(slug, (0, position))
                scores[slug] = (count + 1, earliest)
    if not scores:
        return None
    return min(scores, key=lambda slug: (-scores[slug][0], scores[slug][1]))


def topic_from_filename(filename: str) -> tuple[str, str]:
    """Return (slug, title) for a new topic named after a note's file."""
    stem = PurePath(filename).stem
    title = " ".join(stem.replace("_", " ").replace("-", " ").split()) or "Untitled"
    return slugify(stem) or "untitled", title[:1].upper() + title[1:]
