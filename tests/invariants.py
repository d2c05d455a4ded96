"""Invariants that must hold after any interleaving of grades, undos and quiz misses."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from studyapp.quizzes.models import Attempt
from studyapp.study import scheduling
from studyapp.study.models import CardState, ReviewLog
from studyapp.study.scheduling import Memory, Phase, Rating


def _memory(snapshot: dict | None) -> Memory | None:
    if snapshot is None:
        return None
    last = snapshot["last_review"]
    return Memory(
        Phase(snapshot["phase"]),
        snapshot["step"],
        snapshot["stability"],
        snapshot["difficulty"],
        datetime.fromisoformat(snapshot["due"]),
        datetime.fromisoformat(last) if last else None,
    )


def assert_state_replays_its_log(learner, retention: float = 0.9, fuzzed: bool = False) -> None:
    """Each of the learner's cards is in the state its remaining review log gives.

    The log of a card is a run of consecutive sequence numbers; the first starts from the
    state it records (none: a new card), and replaying the ratings from there, without
    fuzz, gives the stored state, whose reps is one past the last sequence number. A card
    with no log left has no state at all, unless its state predates the log (tests make
    such states with `remember`); then it must be what the test made.

    fuzzed: the log was written with fuzz on (a real server), which moves only the due
    date of a card in the Review phase: that one date is not compared.
    """
    logs: dict[int, list[ReviewLog]] = {}
    for log in ReviewLog.objects.filter(learner=learner).order_by("card_id", "seq"):
        logs.setdefault(log.card_id, []).append(log)
    states = {s.card_id: s for s in CardState.objects.filter(learner=learner)}
    assert_states_have_their_cards_topics(learner)
    for card_id, entries in logs.items():
        seqs = [log.seq for log in entries]
        first = entries[0]
        assert seqs == list(range(first.seq, first.seq + len(seqs))), (card_id, seqs)
        if first.state_before is None:
            assert first.seq == 0, (card_id, seqs)
        else:
            assert first.state_before["reps"] == first.seq, (card_id, first.state_before)
        memory = _memory(first.state_before)
        for log in entries:
            if log is not first:  # each review recorded the state the one before it left
                before = _memory(log.state_before)
                assert before is not None, (card_id, log.seq)
                if fuzzed and memory.phase == Phase.REVIEW:
                    memory = replace(memory, due=before.due)
                assert before.phase == memory.phase and before.step == memory.step, card_id
                assert before.due == memory.due, (card_id, log.seq)
                assert before.stability == pytest.approx(memory.stability, rel=1e-9)
            memory = scheduling.review(memory, Rating(log.rating), log.reviewed_at, retention)
        state = states.get(card_id)
        assert state is not None, f"card {card_id} has a log but no state"
        assert state.reps == entries[-1].seq + 1, (card_id, state.reps, seqs)
        got = (Phase(state.phase), state.step, state.last_review)
        assert got == (memory.phase, memory.step, memory.last_review), card_id
        if not (fuzzed and memory.phase == Phase.REVIEW):
            assert state.due == memory.due, card_id
        assert state.stability == pytest.approx(memory.stability, rel=1e-9), card_id
        assert state.difficulty == pytest.approx(memory.difficulty, rel=1e-9), card_id


def assert_states_have_their_cards_topics(learner) -> None:
    """Every state carries its card's topic (CardState.topic, which the reports count by)."""
    found = CardState.objects.filter(learner=learner).values_list("topic_id", "card__topic_id")
    assert [state for state, card in found if state != card] == []


def assert_scores_match_responses(quiz) -> None:
    """Every finished attempt's stored score is the sum of its stored responses' marks."""
    for attempt in Attempt.objects.filter(quiz=quiz, finished_at__isnull=False):
        responses = list(attempt.responses.all())
        assert attempt.score == pytest.approx(sum(r.fraction or 0 for r in responses)), attempt
