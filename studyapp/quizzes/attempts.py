"""Taking a quiz: starting (or resuming) an attempt, answering, finishing.

An attempt fixes its question and choice order when it starts, so a reload shows the
same quiz. Practice mode marks each answer at once and locks it; test mode keeps answers
changeable and marks them all at the end. A test's time limit is enforced here, on the
server: once past the deadline, the attempt is finished with the answers it has.
Every question a learner does not get fully right becomes a card in their reviews.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.http import QueryDict

from studyapp.accounts.models import profile_for
from studyapp.quizzes.cards import card_sides, cards_for
from studyapp.quizzes.grading import AnswerError, Marked, mark, parse_number
from studyapp.quizzes.models import Attempt, Question, Quiz, Response
from studyapp.study.reviewer import schedule_missed


class AttemptError(Exception):
    """An action the attempt does not allow now; the message says why, for the learner."""


@dataclass
class Slot:
    """One question as this attempt shows it: its choices in this attempt's order."""

    question: Question
    order: list[int]  # choice indexes (multiple choice) or answer indexes (matching)
    response: Response | None = None
    marked: Marked | None = None
    number: int | None = None  # as the learner sees it; none for a description
    error: str | None = None  # why the answer just sent was not saved
    draft: QueryDict | None = None  # that answer's fields, to show again as sent

    @property
    def prefix(self) -> str:
        """The start of this question's field names in a form of the whole attempt."""
        return f"q{self.question.pk}-"

    @property
    def feedback_by_choice(self) -> dict[int, str]:
        """Each chosen choice's own feedback, to show by that choice."""
        if self.question.type != "multichoice" or not isinstance(self.given, list):
            return {}
        choices = self.question.data["choices"]
        return {i: choices[i]["feedback"] for i in self.given if i < len(choices)}

    @property
    def choices(self) -> list[tuple[int, dict]]:
        # A re-upload may have dropped a choice since this attempt fixed its order.
        choices = self.question.data["choices"]
        return [(i, choices[i]) for i in self.order if i < len(choices)]

    @property
    def match_options(self) -> list[str]:
        answers = [p["answer"] for p in self.question.data["pairs"]]
        return list(dict.fromkeys(answers[i] for i in self.order))

    @property
    def match_prompts(self) -> list[tuple[int, str]]:
        return [(i, p["prompt"]) for i, p in enumerate(self.question.data["pairs"]) if p["prompt"]]

    @property
    def match_rows(self) -> list[tuple[int, str, str]]:
        """Each item to match, with the answer given to it so far."""
        given = self.shown if isinstance(self.shown, dict) else {}
        return [(i, prompt, given.get(str(i), "")) for i, prompt in self.match_prompts]

    @property
    def given(self) -> object:
        return self.response.answer if self.response else None

    @property
    def shown(self) -> object:
        """What the form's fields hold: the answer just sent if it could not be saved (so
        nothing typed is lost), else the saved one, in the saved answer's shape."""
        if self.draft is None:
            return self.given
        qtype = self.question.type
        if qtype == "multichoice":
            return [int(v) for v in self.draft.getlist("answer") if v.isdigit()]
        if qtype == "truefalse":
            return {"true": True, "false": False}.get(self.draft.get("answer", ""))
        if qtype == "matching":
            return {
                k.removeprefix("match-"): v for k, v in self.draft.items() if k.startswith("match-")
            }
        return self.draft.get("answer", "")

    @property
    def solution_html(self) -> str:
        """The right answer and the general feedback, to show once marked."""
        return card_sides(self.question)["back_html"]

    @property
    def percent(self) -> int | None:
        if self.marked is None or self.marked.fraction is None:
            return None
        return round(100 * self.marked.fraction)


def attempts_left(learner: AbstractBaseUser, quiz: Quiz) -> int | None:
    if quiz.max_attempts is None:
        return None
    return max(0, quiz.max_attempts - Attempt.objects.filter(learner=learner, quiz=quiz).count())


def open_attempt(learner: AbstractBaseUser, quiz: Quiz) -> Attempt | None:
    return Attempt.objects.filter(learner=learner, quiz=quiz, finished_at__isnull=True).first()


def _layout(quiz: Quiz, rng: random.Random) -> tuple[list[dict], int]:
    """Return this attempt's question and choice order, and how many questions score."""
    questions = list(quiz.questions.active().order_by("position"))
    if quiz.shuffle:
        rng.shuffle(questions)
    layout = []
    for q in questions:
        count = len(q.data.get("choices") or q.data.get("pairs") or [])
        order = list(range(count))
        if quiz.shuffle:
            rng.shuffle(order)
        layout.append({"question": q.pk, "order": order})
    return layout, sum(1 for q in questions if q.scored)


def start(
    learner: AbstractBaseUser,
    quiz: Quiz,
    now: datetime,
    rng: random.Random,
    closes_at: datetime | None = None,
) -> Attempt:
    """Resume the learner's open attempt, or start a new one if attempts are left. A new
    attempt ends at the time limit of a test, or when the quiz closes (closes_at), if
    either comes."""
    current = open_attempt(learner, quiz)
    if current is not None:
        return current
    used = Attempt.objects.filter(learner=learner, quiz=quiz).count()
    if quiz.max_attempts is not None and used >= quiz.max_attempts:
        raise AttemptError(f"You have used all {quiz.max_attempts} attempts at this quiz.")
    layout, scored = _layout(quiz, rng)
    limit = quiz.time_limit_minutes if quiz.mode == Quiz.Mode.TEST else None
    ends = [t for t in (now + timedelta(minutes=limit) if limit else None, closes_at) if t]
    try:
        with transaction.atomic():
            return Attempt.objects.create(
                learner=learner,
                quiz=quiz,
                number=used + 1,
                mode=quiz.mode,
                started_at=now,
                deadline=min(ends) if ends else None,
                layout=layout,
                max_score=float(scored),
            )
    except IntegrityError:
        # A second click started the same attempt a moment ago: resume that one.
        current = open_attempt(learner, quiz)
        if current is None:
            raise
        return current


def slots(attempt: Attempt) -> list[Slot]:
    """Return the attempt's questions in its order, each with its response and mark."""
    ids = [e["question"] for e in attempt.layout]
    questions = Question.objects.in_bulk(ids)
    responses = {r.question_id: r for r in attempt.responses.all()}
    out = []
    number = 0
    for entry in attempt.layout:
        question = questions.get(entry["question"])
        if question is None:
            continue
        slot = Slot(question, entry["order"], responses.get(question.pk))
        if question.type != "description":  # Moodle numbers only what takes an answer
            number += 1
            slot.number = number
        if slot.response is not None:
            # The stored mark, never one worked out again now: after a change of answer
            # key the page must agree with the stored score until a regrade.
            feedback = remark(question, slot.response.answer).feedback
            slot.marked = Marked(slot.response.fraction, feedback)
        out.append(slot)
    return out


def remark(question: Question, answer: object) -> Marked:
    """Mark a stored answer under the question's current answer key; an answer that no
    longer fits it (a choice the new file dropped) scores 0."""
    try:
        return mark(question.type, question.data, answer)
    except (AnswerError, LookupError):
        return Marked(0.0)


@dataclass
class Regraded:
    responses: int  # answers whose mark changed
    attempts: int  # finished attempts whose score changed


def regrade(quiz: Quiz) -> Regraded:
    """Mark every stored answer to the quiz again under its current answer key, and total
    its finished attempts again. Essays keep their marks: they are the instructor's."""
    with transaction.atomic():
        # Lock every attempt (in one order, so two regrades cannot deadlock): an answer
        # or a finish waits, and is ordered with the regrade, as with each other.
        locked = list(Attempt.objects.select_for_update().filter(quiz=quiz).order_by("pk"))
        responses = list(Response.objects.filter(attempt__quiz=quiz).select_related("question"))
        changed = []
        for response in responses:
            if response.question.type == "essay":
                continue
            fraction = remark(response.question, response.answer).fraction
            if fraction != response.fraction:
                response.fraction = fraction
                changed.append(response)
        Response.objects.bulk_update(changed, ["fraction"], batch_size=1000)
        totals: dict[int, float] = {}
        for response in responses:
            totals[response.attempt_id] = totals.get(response.attempt_id, 0.0) + (
                response.fraction or 0.0
            )
        rescored = []
        for attempt in locked:
            score = totals.get(attempt.pk, 0.0)
            if attempt.finished_at is not None and not math.isclose(attempt.score, score):
                attempt.score = score
                rescored.append(attempt)
        Attempt.objects.bulk_update(rescored, ["score"], batch_size=1000)
        Quiz.objects.filter(pk=quiz.pk).update(answer_key_changed_at=None)
    quiz.answer_key_changed_at = None
    return Regraded(len(changed), len(rescored))


def read_answer(slot: Slot, post: QueryDict) -> object:
    """Turn a question's posted form into its stored answer, or raise AnswerError."""
    qtype = slot.question.type
    if qtype == "multichoice":
        raw = post.getlist("answer")
        try:
            chosen = sorted({int(v) for v in raw})
        except ValueError:
            raise AnswerError("That choice is not one of this question's.") from None
        if any(i not in slot.order for i in chosen):
            raise AnswerError("That choice is not one of this question's.")
        if not chosen:
            raise AnswerError("Choose an answer first.")
        if slot.question.data["single"] and len(chosen) > 1:
            raise AnswerError("Choose one answer.")
        return chosen
    if qtype == "truefalse":
        value = post.get("answer")
        if value not in ("true", "false"):
            raise AnswerError("Choose True or False.")
        return value == "true"
    if qtype == "matching":
        options = set(slot.match_options)
        answer = {}
        for i, _ in slot.match_prompts:
            value = post.get(f"match-{i}", "")
            if value not in options:
                raise AnswerError("Choose a match for every item.")
            answer[str(i)] = value
        return answer
    if qtype in ("shortanswer", "numerical", "essay"):
        text = post.get("answer", "").strip()
        if not text:
            raise AnswerError("Write an answer first.")
        if len(text) > 20_000:
            raise AnswerError("That answer is too long.")
        if "\x00" in text:  # PostgreSQL cannot store it, in text or in JSON
            raise AnswerError("That answer holds a NUL character; please remove it.")
        if qtype == "numerical":
            parse_number(text)
        return text
    raise AnswerError("This question takes no answer.")


def fields_for(slot: Slot, post: QueryDict) -> QueryDict:
    """One question's fields, named as read_answer reads them: a form of the whole attempt
    names them with the question's prefix (q12-answer, q12-match-0); a form of one
    question may name them plainly."""
    if not any(key.startswith(slot.prefix) for key in post):
        return post
    fields = QueryDict(mutable=True)
    for key, values in post.lists():
        if key.startswith(slot.prefix):
            fields.setlist(key.removeprefix(slot.prefix), values)
    return fields


def left_blank(fields: QueryDict) -> bool:
    """Whether the learner gave nothing at all for a question."""
    return not any(
        value.strip()
        for key, values in fields.lists()
        if key == "answer" or key.startswith("match-")
        for value in values
    )


@dataclass
class SavedAll:
    saved: int  # answers saved (or changed)
    cleared: int  # answers withdrawn: the learner emptied the field
    errors: dict[int, str]  # question id: why its answer was not saved
    unanswered: list[Slot]  # questions taking an answer that have none now


def save_all(attempt: Attempt, all_slots: list[Slot], post: QueryDict, now: datetime) -> SavedAll:
    """Save every answer a test's form of the whole attempt holds, in one transaction
    ordered with a finish (see _lock). A question left blank is skipped, or its earlier
    answer withdrawn if the learner emptied it; an answer that cannot be read is named in
    errors and not saved, and the others are."""
    _check_open(attempt, now)
    chosen: list[tuple[Slot, object, Marked]] = []
    blank: list[Slot] = []
    errors: dict[int, str] = {}
    for slot in all_slots:
        if slot.question.type == "description" or not any(k.startswith(slot.prefix) for k in post):
            continue  # not on the form (an older page, or a question added since)
        fields = fields_for(slot, post)
        if left_blank(fields):
            blank.append(slot)
            continue
        try:
            value = read_answer(slot, fields)
        except AnswerError as error:
            errors[slot.question.pk] = str(error)
            continue
        chosen.append((slot, value, mark(slot.question.type, slot.question.data, value)))
    with transaction.atomic():
        _lock(attempt)
        still_open = attempt.finished_at is None and not _past_deadline(attempt, now)
        cleared = 0
        if still_open:
            for slot, value, marked in chosen:
                _save_response(attempt, slot.question, value, marked, now)
            withdrawn = [s.question.pk for s in blank if s.response is not None]
            if withdrawn:
                cleared, _ = attempt.responses.filter(question__in=withdrawn).delete()
    if not still_open:
        _check_open(attempt, now)  # raises, and finishes an attempt whose time is up
    blank_ids = {s.question.pk for s in blank}
    answered = {s.question.pk for s, _, _ in chosen} | {
        s.question.pk
        for s in all_slots
        if s.response is not None and s.question.pk not in blank_ids
    }
    unanswered = [
        s for s in all_slots if s.question.type != "description" and s.question.pk not in answered
    ]
    return SavedAll(len(chosen), cleared, errors, unanswered)


def withdraw(attempt: Attempt, slot: Slot, now: datetime) -> None:
    """Take back a test answer the learner emptied (its field saved as it changes)."""
    _check_open(attempt, now)
    with transaction.atomic():
        _lock(attempt)
        if attempt.finished_at is None and not _past_deadline(attempt, now):
            attempt.responses.filter(question=slot.question).delete()
            slot.response = None
    _check_open(attempt, now)


def _past_deadline(attempt: Attempt, now: datetime) -> bool:
    return attempt.deadline is not None and now > attempt.deadline


def _check_open(attempt: Attempt, now: datetime) -> None:
    if attempt.finished_at is not None:
        raise AttemptError("This attempt is finished; its answers can no longer change.")
    if _past_deadline(attempt, now):
        finish(attempt, attempt.deadline)
        raise AttemptError("Time is up: the attempt was finished with the answers saved.")


def _lock(attempt: Attempt) -> None:
    """Lock the attempt's row until commit and bring the caller's copy up to date.

    An answer and a finish both take this lock, so they are ordered: an answer is saved
    before the finish totals the score, or is refused after it. Checking the copy the
    request loaded is not enough: a finish may commit between that load and the save.
    (SQLite has no row locks; its IMMEDIATE transactions let one writer in at a time.)
    """
    locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
    attempt.finished_at, attempt.deadline = locked.finished_at, locked.deadline
    attempt.score = locked.score


def _missed(attempt: Attempt, questions: list[Question], now: datetime) -> None:
    if questions:
        learner = attempt.learner
        schedule_missed(learner, profile_for(learner), cards_for(learner, questions), now)


def answer(attempt: Attempt, slot: Slot, post: QueryDict, now: datetime) -> Marked:
    """Save the learner's answer to one question; in practice mode mark it now."""
    _check_open(attempt, now)  # first, so that a closed attempt says so before any input error
    value = read_answer(slot, post)
    marked = mark(slot.question.type, slot.question.data, value)
    with transaction.atomic():
        _lock(attempt)
        still_open = attempt.finished_at is None and not _past_deadline(attempt, now)
        if still_open:
            _save_response(attempt, slot.question, value, marked, now)
    if not still_open:
        _check_open(attempt, now)  # raises, and finishes an attempt whose time is up
    slot.marked = marked
    return marked


def _save_response(
    attempt: Attempt, question: Question, value: object, marked: Marked, now: datetime
) -> None:
    values = {"answer": value, "fraction": marked.fraction, "answered_at": now}
    if attempt.mode == Quiz.Mode.TEST:
        Response.objects.update_or_create(attempt=attempt, question=question, defaults=values)
        return
    # Practice answers are final once marked, as with Moodle's immediate feedback.
    _, created = Response.objects.get_or_create(attempt=attempt, question=question, defaults=values)
    if not created:
        raise AttemptError("You have already answered this question.")
    if marked.wrong and attempt.quiz.show_answers == Quiz.Review.IMMEDIATELY:
        _missed(attempt, [question], now)


def _missed_in_test(slot: Slot) -> bool:
    """Wrong, or left unanswered where an answer could be marked."""
    if slot.response is None:
        return slot.question.type not in ("description", "essay")
    return slot.marked is not None and slot.marked.wrong


def finish(attempt: Attempt, now: datetime) -> Attempt:
    """Close the attempt and total its score; its misses become review cards when the
    quiz's review options show them (see reveals_answers)."""
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
        locked.quiz = attempt.quiz  # for its review options, without loading it again
        if locked.finished_at is not None:
            return locked
        all_slots = slots(locked)
        scored = [s.marked.fraction or 0.0 for s in all_slots if s.marked is not None]
        locked.score = sum(scored)
        locked.finished_at = now
        locked.save(update_fields=["score", "finished_at"])
        # A missed question's card holds its right answer, so it comes only when the
        # quiz's review options let the learner see that answer. A practice quiz that
        # shows answers at once has made its cards answer by answer already.
        review = locked.quiz.show_answers
        at_once = locked.mode == Quiz.Mode.PRACTICE and review == Quiz.Review.IMMEDIATELY
        if not at_once and reveals_answers(locked):
            _missed(locked, [s.question for s in all_slots if _missed_in_test(s)], now)
    attempt.score, attempt.finished_at = locked.score, locked.finished_at
    return locked


def reveals_answers(attempt: Attempt) -> bool:
    """Whether this attempt's page may show the right answers and the feedback (and its
    misses become review cards, which hold the right answers), by the quiz's review
    options. "After the last attempt" with no attempts limit means after each finished
    attempt: any may be the last, and never would keep a learner's misses from their
    reviews for good."""
    review = attempt.quiz.show_answers
    if review == Quiz.Review.IMMEDIATELY:
        return True
    if review == Quiz.Review.NEVER or attempt.finished_at is None:
        return False
    return attempt.quiz.max_attempts is None or attempts_left(attempt.learner, attempt.quiz) == 0
