"""Parse speed: our full parse (HTML, sanitizing, cards) against bare markdown-it-py.

Generates a notes corpus of at least 5 MB in the styles our importer meets, then times
both on the same text in the same run. The last line is one JSON object.
Run: .venv/bin/python bench/parse.py [--mb 5] [--repeat 5]
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from markdown_it import MarkdownIt

from studyapp.content.parse import parse_note

ROOT = Path(__file__).resolve().parent.parent

WORDS = [
    "region",
    "zone",
    "edge",
    "cache",
    "network",
    "subnet",
    "gateway",
    "route",
    "table",
    "instance",
    "container",
    "queue",
    "topic",
    "function",
    "bucket",
    "object",
    "policy",
    "latency",
    "cost",
    "compliance",
    "scale",
    "fault",
    "tolerance",
    "service",
    "data",
]


def sentence(rng: random.Random, n: int = 12) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize()


def note(rng: random.Random, number: int) -> str:
    """Return one note mixing prose, headings, bullets, explicit cards, clozes and code."""
    parts = [f"---\ntitle: Note {number}\ntopic: topic-{number % 6}\n---\n# Note {number}\n"]
    for section in range(6):
        parts.append(f"\n## Section {section}\n\n{sentence(rng, 30)}. {sentence(rng, 20)}.\n")
        parts.append(f"\n- **{sentence(rng, 2)}**- {sentence(rng)}\n\t- {sentence(rng, 8)}\n")
        parts.append(f"- {sentence(rng, 2)}: {sentence(rng, 10)}\n- {sentence(rng, 15)}\n")
        parts.append(f"\n{sentence(rng, 3)}::{sentence(rng, 8)}\n")
        parts.append(f"\n{sentence(rng, 6)}?\n?\n{sentence(rng, 10)}\n")
        parts.append(f"\n{sentence(rng, 5)} =={sentence(rng, 2)}== {sentence(rng, 5)}.\n")
        parts.append(f"\n```\n{sentence(rng, 6)}\n```\n\n| a | b |\n|---|---|\n| x | y |\n")
    return "".join(parts)


def corpus(megabytes: float) -> list[str]:
    rng = random.Random(42)
    notes, size = [], 0
    while size < megabytes * 1_000_000:
        text = note(rng, len(notes))
        notes.append(text)
        size += len(text.encode())
    return notes


def best_of(repeat: int, work) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def alternated(notes: list[str], rounds: int, **phases) -> dict[str, float]:
    """Each phase's total time over the notes, the median of `rounds` rounds, and the
    median of the rounds' ratios of each phase to the first.

    The phases take turns on every note, in an order that changes from note to note, and
    every result is dropped at once: this machine's speed wanders by half within seconds,
    so phases run one after another (even taking turns within a round, and the best
    round of each) gave ratios from 2.2 to 2.9 for the same code; taking turns on each
    note of a few milliseconds puts every slow spell on all of them alike."""
    names = list(phases)
    totals: dict[str, list[float]] = {name: [] for name in names}
    ratios: dict[str, list[float]] = {name: [] for name in names}
    clock = time.perf_counter
    for _ in range(rounds):
        gc.collect()
        spent = dict.fromkeys(names, 0.0)
        for number, text in enumerate(notes):
            for turn in range(len(names)):
                name = names[(number + turn) % len(names)]
                start = clock()
                phases[name](text, number)
                spent[name] += clock() - start
        for name in names:
            totals[name].append(spent[name])
            ratios[name].append(spent[name] / spent[names[0]])
    result = {name: statistics.median(seconds) for name, seconds in totals.items()}
    result.update({f"{name}_ratio": statistics.median(r) for name, r in ratios.items()})
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=5.0)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    notes = corpus(args.mb)
    megabytes = sum(len(n.encode()) for n in notes) / 1_000_000
    bare = MarkdownIt("commonmark")
    cards = sum(len(parse_note(n, "bench.md").cards) for n in notes)

    seconds = alternated(
        notes,
        args.repeat,
        bare=lambda text, _: bare.parse(text),
        ours=lambda text, number: parse_note(text, f"note{number}.md"),
        render=lambda text, _: bare.render(text),
    )
    bare_s, ours_s, render_s = seconds["bare"], seconds["ours"], seconds["render"]
    ratio = seconds["ours_ratio"]

    print(f"corpus: {len(notes)} notes, {megabytes:.2f} MB, {cards} cards")
    print(f"bare markdown-it-py parse:  {megabytes / bare_s:7.2f} MB/s")
    print(f"bare markdown-it-py render: {megabytes / render_s:7.2f} MB/s (for reference)")
    print(f"ours (parse, HTML, sanitize, cards): {megabytes / ours_s:7.2f} MB/s")
    print(f"ours / bare parse time: {ratio:.2f}x (target: at most 2x)")

    # The generated corpus has no definition sentences ("An AZ is ..."), which send a
    # paragraph through sentence splitting; students' real notes are full of them.
    real = sorted((ROOT.parent / "shared" / "notes").glob("*.md"))
    if real:
        texts = [path.read_text(encoding="utf-8") for path in real] * 20
        real_ratio = alternated(
            texts,
            args.repeat,
            bare=lambda text, _: bare.parse(text),
            ours=lambda text, number: parse_note(text, f"note{number}.md"),
        )["ours_ratio"]
        print(f"ours / bare on ../shared/notes ({len(real)} real notes): {real_ratio:.2f}x")

    # Absurd but valid input must not be slower per byte than ordinary notes by much.
    absurd = {
        "nested quotes": "> " * 50_000 + "x\n",
        "nested lists": "- " * 50_000 + "x\n",
        "200 kB line": "word " * 40_000 + "\n",
        "brackets": "[[" * 20_000 + "\n",
    }
    for name, text in absurd.items():
        seconds = best_of(1, lambda text=text: parse_note(text, "absurd.md"))
        bare_seconds = best_of(1, lambda text=text: bare.parse(text))
        print(f"absurd, {name}: ours {seconds * 1000:.0f} ms, bare {bare_seconds * 1000:.0f} ms")

    print(
        json.dumps(
            {
                "ours_mb_s": round(megabytes / ours_s, 3),
                "markdown_it_mb_s": round(megabytes / bare_s, 3),
                "ratio": round(ratio, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
