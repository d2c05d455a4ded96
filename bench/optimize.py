"""Fitting FSRS's parameters to one learner: the real 12,580-review history in
../shared/data, fitted with the Rust optimizer (fsrs-rs-python) as the background job does
(studyapp.study.scheduling.fit_parameters, its only caller of the optimizer).

The newest fifth of the training items is held back from the fit; the log loss of the
default and of the fitted parameters is measured on it (lower: recall better predicted).
Time: the whole fit (items, optimizer, evaluation), in seconds per 10,000 reviews.
Targets: under 2 s per 10,000 reviews on this machine; fitted log loss below the default.
Prints its figures and asserts none; the last line is one JSON object:
{"s_per_10k", "logloss_default", "logloss_fitted"}.
Run: .venv/bin/python bench/optimize.py [--log FILE]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
LOG = ROOT.parent / "shared" / "data" / "fsrs-review-log-12580.csv"


def read_log(path: Path) -> list[tuple[str, datetime, int]]:
    with path.open(newline="") as file:
        return [
            (row["card_id"], datetime.fromisoformat(row["review_time"]), int(row["review_rating"]))
            for row in csv.DictReader(file)
        ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log", type=Path, default=LOG, help="a review log CSV")
    args = parser.parse_args()
    from studyapp.study import scheduling

    reviews = read_log(args.log)
    start = time.perf_counter()
    fit = scheduling.fit_parameters(reviews)
    seconds = time.perf_counter() - start
    print(
        f"{len(reviews):,} reviews, {fit.trained_on:,} training items, "
        f"{fit.judged_on:,} held back; fitted in {seconds:.2f} s"
    )
    print("default parameters:", [round(w, 4) for w in scheduling.default_parameters()])
    print("fitted parameters: ", [round(w, 4) for w in fit.parameters])
    print(
        f"log loss on the held-back reviews: default {fit.log_loss_default:.4f}, "
        f"fitted {fit.log_loss_fitted:.4f}"
    )
    print("targets: under 2 s per 10,000 reviews; fitted log loss below the default")
    print(
        json.dumps(
            {
                "s_per_10k": round(seconds / (len(reviews) / 10_000), 3),
                "logloss_default": round(fit.log_loss_default, 4),
                "logloss_fitted": round(fit.log_loss_fitted, 4),
            }
        )
    )


if __name__ == "__main__":
    main()
