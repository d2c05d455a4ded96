from __future__ import annotations

from studyapp.content.topics import match_topic, slugify, topic_from_filename

COURSE = {
    "regions": ["AWS Regions", "region", "choosing a region"],
    "availability-zones": ["Availability Zones", "AZ", "data centers"],
    "edge-locations": ["Edge Locations", "CloudFront"],
}


def test_it_picks_the_topic_named_by_the_most_headings():
    headings = ["Servers", "Availability Zones", "Regions", "Choosing a region"]
    assert match_topic(headings, COURSE) == "regions"


def test_singular_and_plural_match():
    assert match_topic(["An availability zone"], COURSE) == "availability-zones"


def test_ties_go_to_the_earliest_heading():
    assert match_topic(["CloudFront", "Regions"], COURSE) == "edge-locations"


def test_no_match_gives_none():
    assert match_topic(["Module 3", "Databases"], COURSE) is None


def test_words_must_match_whole():
    assert match_topic(["Hazard"], {"az": ["AZ"]}) is None


def test_slugify_and_file_names():
    assert slugify("Edge Locations & CDNs!") == "edge-locations-cdns"
    assert topic_from_filename("notes/module3_global-infra.md") == (
        "module3_global-infra".replace("_", "-"),
        "Module3 global infra",
    )
