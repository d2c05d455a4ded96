"""The one place that decides which HTML from uploaded text may reach a page."""

from __future__ import annotations

import re

import nh3

_TAGS = {
    *("h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "blockquote", "pre", "code"),
    *("ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tr", "th", "td"),
    *("a", "em", "strong", "b", "i", "u", "s", "del", "ins", "mark", "sub", "sup"),
    *("kbd", "abbr", "span", "small", "img", "details", "summary"),
}
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "th": {"style"},
    "td": {"style"},
    "abbr": {"title"},
    **{f"h{n}": {"id"} for n in range(1, 7)},
}
# Only the classes our own renderer emits; arbitrary classes could restyle the page.
_CLASSES = {"span": {"cloze-blank", "card-context"}, "mark": {"cloze"}}

_cleaner = nh3.Cleaner(
    tags=_TAGS,
    clean_content_tags={"script", "style"},
    attributes=_ATTRIBUTES,
    url_schemes={"http", "https", "mailto"},
    allowed_classes=_CLASSES,
    filter_style_properties={"text-align"},
    link_rel="noopener noreferrer nofollow",
)


# Without these, text is no markup and nh3 gives it back as it is (a property test in
# tests/content/test_parse_properties.py checks this): most card sides are such text.
# A byte order mark is one: nh3's HTML parser drops it at the start (found by that test).
_NOT_PLAIN = re.compile("[<>&\u00a0\r\0\ufeff]")


def sanitize_html(html: str) -> str:
    """Return html with everything but our allow-list of tags, attributes and URLs removed."""
    if _NOT_PLAIN.search(html) is None:
        return html
    return _cleaner.clean(html)
