"""Each learner's memory of each card, the log of their reviews, and their daily counts."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from studyapp.courses.models import Card, Topic


class CardState(models.Model):
    """One learner's FSRS memory of one card; absent until their first review of it."""

    # No index of its own: the unique (learner, card) and both indexes lead with it,
    # and each index is one more for every grade to write.
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, db_index=False)
    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="states")
    # The card's topic, copied here (set with the state, and kept by a quiz's change of
    # topic, the only way a card changes topic), so that a class report counts a class's
    # states by topic from an index alone instead of looking up each state's card
    # (bench/report.py). Null when the card has none.
    topic = models.ForeignKey(
        Topic, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    phase = models.PositiveSmallIntegerField()  # scheduling.Phase
    step = models.PositiveSmallIntegerField(null=True)
    stability = models.FloatField(null=True)
    difficulty = models.FloatField(null=True)
    due = models.DateTimeField()
    last_review = models.DateTimeField(null=True)
    # How many reviews have been applied: the sequence number of the next review, which
    # is what makes a shown card's token single-use.
    reps = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "card"], name="cardstate_unique_learner_card"
            )
        ]
        indexes = [
            # The reviewer's order; with topic and card, the class forecast's whole index.
            models.Index(fields=["learner", "due", "topic", "card"], name="cardstate_due"),
            # The class report's per-topic counts, read from the index alone.
            models.Index(
                fields=["learner", "topic", "card", "due", "stability", "last_review"],
                name="cardstate_report",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.learner_id}/{self.card_id} due {self.due:%Y-%m-%d %H:%M}"


class ReviewLog(models.Model):
    """One review, never updated. Undo deletes the newest and restores state_before.

    A card's state is always the replay of its log, so a quiz question the learner missed
    is logged too (kind QUIZ, as Again), though it is no review: it counts in no daily
    total and undo leaves it alone, as Anki does with its manual reschedules.
    """

    class Kind(models.TextChoices):
        REVIEW = "review"
        QUIZ = "quiz", "Missed in a quiz"

    # No index of its own: the unique (learner, card, seq) and both indexes lead with
    # it, and each index is one more for every grade to write.
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, db_index=False)
    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="reviews")
    # db_default: code from before this column, still serving during a rolling restart,
    # inserts reviews without it (README, "Upgrading").
    kind = models.CharField(
        max_length=10, choices=Kind.choices, default=Kind.REVIEW, db_default=Kind.REVIEW
    )
    # The card's reps before this review. Unique per learner and card, so two requests
    # grading the same shown card cannot both be recorded, on any database.
    seq = models.PositiveIntegerField()
    rating = models.PositiveSmallIntegerField()
    reviewed_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(null=True)
    day = models.DateField()  # the learner's study day, fixed when the review happened
    state_before = models.JSONField(null=True)  # None: the card was new
    counts_for_retention = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "card", "seq"], name="reviewlog_unique_learner_card_seq"
            )
        ]
        indexes = [
            models.Index(fields=["learner", "reviewed_at"], name="reviewlog_learner_time"),
            # Undo's newest review of a learner: without it, PostgreSQL walks the primary
            # key back from the newest review of anyone (bench/review.py, undo_growth).
            models.Index(fields=["learner", "kind", "id"], name="reviewlog_undo"),
        ]

    def __str__(self) -> str:
        return f"{self.learner_id}/{self.card_id} #{self.seq}: {self.rating}"


class NewCardFrontier(models.Model):
    """How far a learner has come through a topic's new cards: every card in use of the
    topic up to this one, in the reviewer's order (position, line, id), has a state of
    theirs, as of the topic's cards_version. The reviewer looks for the next new card
    after it, not from the topic's first card: that walk grew with every card the learner
    had started (bench/load.py). A grade of the next new card moves it on; an undo of a
    card's first review deletes it; a change of the topic's cards makes it stale (the
    version no longer matches), and the walk then starts from the first card again.
    """

    # No index of its own: the unique (learner, topic) leads with it.
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, db_index=False)
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField()
    # The last card of the learner's started run, by the order's three keys: its id as
    # a number, not a key to the card (a deleted card still marks the place), so that
    # moving the frontier changes no indexed column and PostgreSQL updates the row in
    # place (a HOT update): rewritten with every new card, its indexes would otherwise
    # swell until each look-up read dozens of pages (bench/load.py).
    position = models.PositiveIntegerField()
    line = models.PositiveIntegerField()
    last_card = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "topic"], name="newcardfrontier_unique_learner_topic"
            )
        ]

    def __str__(self) -> str:
        return f"{self.learner_id}/{self.topic_id} after card {self.last_card}"


class StudyDay(models.Model):
    """A learner's counts for one study day, kept as reviews happen (and undone with them).

    Daily limits, the heatmap, the streak and true retention read these few rows instead
    of the whole review history, so they cost the same after a year as on the first day.
    """

    # No index of its own: the unique (learner, day) leads with it.
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, db_index=False)
    day = models.DateField()
    reviews = models.PositiveIntegerField(default=0)
    new_cards = models.PositiveIntegerField(default=0)
    review_cards = models.PositiveIntegerField(default=0)  # reviews of cards in Review phase
    correct = models.PositiveIntegerField(default=0)  # reviews not rated Again
    retention_total = models.PositiveIntegerField(default=0)
    retention_passed = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["learner", "day"], name="studyday_unique_learner_day")
        ]

    def __str__(self) -> str:
        return f"{self.learner_id} {self.day}: {self.reviews} reviews"


class CardMark(models.Model):
    """A learner's own marks on a card, as Anki's: suspended (out of their study until
    they unsuspend it), buried (out until their next study day begins) and a coloured
    flag. A card may be marked before it is ever seen; no row: no marks."""

    class Flag(models.IntegerChoices):
        NONE = 0, "No flag"
        RED = 1, "Red"
        ORANGE = 2, "Orange"
        GREEN = 3, "Green"
        BLUE = 4, "Blue"

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="marks")
    suspended = models.BooleanField(default=False)
    buried_until = models.DateTimeField(null=True, blank=True)
    flag = models.PositiveSmallIntegerField(choices=Flag.choices, default=Flag.NONE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["learner", "card"], name="cardmark_unique_learner_card")
        ]

    def __str__(self) -> str:
        return f"{self.learner_id}/{self.card_id} marks"


class MarkLog(models.Model):
    """One change of a card's marks, kept so that undo (u) takes it back as it takes back
    a grade: the newest of a learner's reviews and mark changes is undone first."""

    class Action(models.TextChoices):
        BURY = "bury", "Buried"
        SUSPEND = "suspend", "Suspended"
        UNSUSPEND = "unsuspend", "Unsuspended"
        FLAG = "flag", "Flagged"

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="mark_logs")
    action = models.CharField(max_length=10, choices=Action.choices)
    flag = models.PositiveSmallIntegerField(null=True)  # the flag a "flag" action set
    at = models.DateTimeField()
    before = models.JSONField(null=True)  # the marks before the change; None: no row

    class Meta:
        indexes = [models.Index(fields=["learner", "at"], name="marklog_learner_at")]

    def __str__(self) -> str:
        return f"{self.learner_id}/{self.card_id} {self.action}"


class ParameterFit(models.Model):
    """One fit of a learner's FSRS parameters to their own reviews (studyapp/study/
    fitting.py), asked for by the learner or by `manage.py fit_schedules`, run by the
    background worker. Kept as the record the learner reads and as the way back."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting for the background worker"
        APPLIED = "applied", "Fitted and in use"
        KEPT = "kept", "Fitted, but no better: the parameters in use were kept"
        TOO_FEW = "too-few", "Not enough reviews yet"
        FAILED = "failed", "Failed"
        UNDONE = "undone", "Undone: the parameters before it are back"

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    requested_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    message = models.TextField(blank=True)
    reviews = models.PositiveIntegerField(null=True)
    log_loss_before = models.FloatField(null=True)  # of the parameters in use then
    log_loss_after = models.FloatField(null=True)  # of the fitted ones, same reviews
    parameters = models.JSONField(null=True)  # the fitted parameters
    previous = models.JSONField(null=True)  # the learner's parameters before; None: defaults
    # FSRS's advice on the retention to ask for, with the parameters in use after the fit
    # (scheduling.retention_advice): the suggestion and the simulated years it compared.
    suggested_retention = models.FloatField(null=True)
    workloads = models.JSONField(null=True)  # [{"retention", "hours", "remembered"}, ...]

    class Meta:
        indexes = [models.Index(fields=["learner", "requested_at"], name="fit_learner_time")]

    def __str__(self) -> str:
        return f"{self.learner_id} fit {self.requested_at:%Y-%m-%d}: {self.status}"
