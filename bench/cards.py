"""How well the importer guesses cards from notes that use no card syntax.

Each note in bench/data/cards/ is written in one style (short sections under headings,
definition sentences, "Term — text" bullets, tables, an outline, a lecture's
transcript), and labels.yaml lists the cards a careful student would make from it. The
cards the importer makes are matched to those: a card matches a labelled one when their
fronts are the same words (case, punctuation, a leading article and anything in
parentheses aside) and their backs share most of their words (an F1 of the two word
sets of at least BACK_MATCH). Each labelled card matches one card at most.

Precision: the share of the cards made that match a labelled card. Recall: the share
of the labelled cards that some card made matches. Targets: precision at least 0.85 and
recall at least 0.7 overall, and no style with recall 0. The last line is one JSON
object: {"precision", "recall", "styles": {style: {"precision", "recall"}}}.
Run: .venv/bin/python bench/cards.py
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from studyapp.content.parse import parse_note  # noqa: E402  (after the path is set)

DATA = Path(__file__).resolve().parent / "data" / "cards"
BACK_MATCH = 0.5
_TAG = re.compile(r"<[^>]+>")
_PARENS = re.compile(r"\([^)]*\)")
_WORD = re.compile(r"[\w'-]+")


def words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(_TAG.sub(" ", text))]


def front_key(text: str) -> tuple[str, ...]:
    found = words(_PARENS.sub(" ", _TAG.sub(" ", text)))
    return tuple(found[1:] if found and found[0] in ("a", "an", "the") else found)


def back_score(made: str, wanted: str) -> float:
    a, b = set(words(made)), set(words(wanted))
    common = len(a & b)
    if not common:
        return 0.0
    precision, recall = common / len(a), common / len(b)
    return 2 * precision * recall / (precision + recall)


def matched(made: list[tuple[str, str]], wanted: list[tuple[str, str]]) -> int:
    """How many made cards match a labelled card, each labelled card matched once."""
    free = list(wanted)
    hits = 0
    for front, back in made:
        best = max(
            (
                (back_score(back, w_back), n)
                for n, (w_front, w_back) in enumerate(free)
                if front_key(front) == front_key(w_front)
            ),
            default=(0.0, None),
        )
        if best[1] is not None and best[0] >= BACK_MATCH:
            free.pop(best[1])
            hits += 1
    return hits


def main() -> None:
    labels = yaml.safe_load((DATA / "labels.yaml").read_text())
    styles = {}
    total_made = total_wanted = total_hits = 0
    for style, wanted in labels.items():
        note = parse_note((DATA / f"{style}.md").read_text(), f"{style}.md")
        made = [(c.front_html, c.back_html) for c in note.cards]
        wanted = [(card["front"], card["back"]) for card in wanted]
        hits = matched(made, wanted)
        styles[style] = {
            "precision": round(hits / len(made), 3) if made else 0.0,
            "recall": round(hits / len(wanted), 3),
        }
        print(f"{style:12} made {len(made):3}, labelled {len(wanted):3}, matched {hits:3}")
        for front, back in made:
            mark = "  " if matched([(front, back)], wanted) else "x "
            print(f"    {mark}{' '.join(words(front))} :: {' '.join(words(back))[:70]}")
        total_made, total_wanted, total_hits = (
            total_made + len(made),
            total_wanted + len(wanted),
            total_hits + hits,
        )
    result = {
        "precision": round(total_hits / total_made, 3) if total_made else 0.0,
        "recall": round(total_hits / total_wanted, 3),
        "styles": styles,
    }
    print("targets: precision at least 0.85, recall at least 0.7, no style with recall 0")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
