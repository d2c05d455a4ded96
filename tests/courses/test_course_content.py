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
]


@pytest.mark.parametrize("concept", CONCEPTS)
def test_the_course_covers_every_concept_of_the_notes(concept):
    text = " ".join(p.read_text() for p in CONTENT.glob("*.md"))
    assert concept.casefold() in " ".join(text.split()).casefold()
