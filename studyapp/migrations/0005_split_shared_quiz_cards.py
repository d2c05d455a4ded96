"""Cards from missed quiz questions become their learner's own (they hold the answer).

Until now one such card was shared by every learner who missed the question, and anyone
could open it. Each learner with a review state or history of a shared card gets a card
of their own, which takes their state and reviews along; a card nobody has is deleted.
"""

import hashlib

from django.db import migrations


def _key(card, learner_id):
    base = card.key
    if card.question_id is not None:
        base = f"quiz:{card.question.quiz_id}:{card.question.key}"
    return hashlib.sha256(f"{base}:{learner_id}".encode()).hexdigest()[:40]


def split_shared_quiz_cards(apps, schema_editor):
    Card = apps.get_model("studyapp", "Card")
    CardState = apps.get_model("studyapp", "CardState")
    ReviewLog = apps.get_model("studyapp", "ReviewLog")
    shared = Card.objects.filter(kind="from-quiz", learner__isnull=True).select_related("question")
    for card in shared.iterator():
        learners = sorted(
            set(CardState.objects.filter(card=card).values_list("learner_id", flat=True))
            | set(ReviewLog.objects.filter(card=card).values_list("learner_id", flat=True))
        )
        if not learners:
            card.delete()
            continue
        first, *others = learners
        for learner_id in others:
            own = Card.objects.create(
                topic_id=card.topic_id,
                lesson_id=card.lesson_id,
                section_id=card.section_id,
                kind=card.kind,
                front_html=card.front_html,
                back_html=card.back_html,
                key=_key(card, learner_id),
                line=card.line,
                retired_at=card.retired_at,
                question_id=card.question_id,
                learner_id=learner_id,
            )
            CardState.objects.filter(card=card, learner_id=learner_id).update(card=own)
            ReviewLog.objects.filter(card=card, learner_id=learner_id).update(card=own)
        card.learner_id, card.key = first, _key(card, first)
        card.save(update_fields=["learner", "key"])


class Migration(migrations.Migration):
    # In a migration of its own: PostgreSQL refuses the schema changes of 0004 (their
    # deferred indexes) in a transaction that has already changed rows.
    dependencies = [("studyapp", "0004_learners_own_quiz_cards")]

    operations = [migrations.RunPython(split_shared_quiz_cards, migrations.RunPython.noop)]
