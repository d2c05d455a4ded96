"""The course we ship: every topic complete, every concept of the notes covered."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from studyapp.content.parse import parse_note

CONTENT = Path(__file__).resolve().parents[2] / "content"
TOPICS = [
    "regions",
    "availability-zones",
    "edge-locations",
    "provisioning",
    "networking",
    "architectures",
]


@pytest.mark.parametrize("slug", TOPICS)
def test_each_topic_has_a_lesson_15_cards_and_8_quiz_questions(slug):
    note = parse_note((CONTENT / f"{slug}.md").read_text(), f"{slug}.md")
    assert note.topic == slug
    assert note.problems == []
    assert len(note.cards) >= 15
    assert len(re.sub(r"<[^>]+>", "", note.html).split()) >= 250  # a readable lesson
    gift = (CONTENT / f"{slug}.gift").read_text()
    assert len(re.findall(r"^::[^:]+::", gift, flags=re.M)) >= 8


CONCEPTS = [
    "compliance",
    "proximity",
    "feature availability",
    "pricing",
    "data sovereignty",
    "Availability Zone",
    "at least two",
    "data center",
    "edge location",
    "CloudFront",
    "Route 53",
    "Outposts",
    "S3",
    "EC2",
    "Lambda",
    "container",
    "Management Console",
    "CLI",
    "SDK",
    "Elastic Beanstalk",
    "CloudFormation",
    "VPC",
    "public subnet",
    "private subnet",
    "internet gateway",
    "virtual private gateway",
    "VPN",
    "Direct Connect",
    "network ACL",
    "stateless",
    "security group",
    "stateful",
    "monolithic",
    "microservices",
    "tightly coupled",
    "loosely coupled",
    "SQS",
    "SNS",
    "serverless",
    "orchestration",
    "Elastic Load Balancing",
    "high availability",
    "fault tolerance",
    "at least three Availability Zones",
    "regional edge cache",
    "parent Region",
    "NAT gateway",
    "rule number",
    "default security group",
    "retention period",
]


@pytest.mark.parametrize("concept", CONCEPTS)
def test_the_course_covers_every_concept_of_the_notes(concept):
    text = " ".join(p.read_text() for p in CONTENT.glob("*.md"))
    assert concept.casefold() in " ".join(text.split()).casefold()


def course_cards():
    for path in sorted(CONTENT.glob("*.md")):
        yield from parse_note(path.read_text(), path.name).cards


def plain(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_no_card_answers_with_a_question_or_repeats_another_card():
    backs = [plain(c.back_html) for c in course_cards()]
    assert [b for b in backs if b.endswith("?")] == []
    fronts = [plain(c.front_html).casefold() for c in course_cards() if c.kind != "cloze"]
    assert sorted({f for f in fronts if fronts.count(f) > 1}) == []


@pytest.mark.parametrize("slug", TOPICS)
def test_every_quiz_answer_explains_itself(slug):
    """Feedback on every answer (the right ones and each wrong choice), on both sides of a
    true/false question, and general feedback on a matching question."""
    from studyapp.formats import gift
    from studyapp.formats.questions import QuestionType

    missing = []
    for q in gift.parse((CONTENT / f"{slug}.gift").read_text()):
        if q.type == QuestionType.TRUEFALSE:
            gaps = not (q.feedback_wrong and q.feedback_right)
        elif q.type == QuestionType.MATCHING:
            gaps = not q.general_feedback
        elif q.type == QuestionType.NUMERICAL:
            gaps = any(not n.feedback for n in q.numbers)
        else:
            gaps = any(not c.feedback for c in q.choices)
        if gaps:
            missing.append(q.title)
    assert missing == []
