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


# Tags that the card finder and markdown-it write into card sides, with no attribute but
# a class nh3 keeps. Plain text inside these, well nested, nh3 gives back as it is (a
# property test checks this too): most cards' sides with markup are clozes and lists.
_OWN_TAG = re.compile(
    r'<(?:(mark|span|strong|em|ul|li)(?: class="([a-z-]+)")?|/(mark|span|strong|em|ul|li))>'
)


def _is_own_markup(html: str) -> bool:
    """Whether html is plain text inside well-nested _OWN_TAGs, each list item directly
    in a list (a list item elsewhere closes an open one: the HTML would change)."""
    open_tags: list[str] = []
    at = 0
    for tag in _OWN_TAG.finditer(html):
        if _NOT_PLAIN.search(html, at, tag.start()):
            return False
        at = tag.end()
        opened, class_, closed = tag.groups()
        if opened is None:
            if not open_tags or open_tags.pop() != closed:
                return False
            continue
        if class_ is not None and class_ not in _CLASSES.get(opened, ()):
            return False
        if opened == "li" and (not open_tags or open_tags[-1] != "ul"):
            return False
        open_tags.append(opened)
    return not open_tags and _NOT_PLAIN.search(html, at) is None


def sanitize_html(html: str) -> str:
    """Return html with everything but our allow-list of tags, attributes and URLs removed."""
    if _NOT_PLAIN.search(html) is None or _is_own_markup(html):
        return html
    return _cleaner.clean(html)


# The tags markdown-it writes for Markdown without links, images or raw HTML, as nh3
# writes them back (no attribute but a heading's anchor and a list's start).
_RENDERED_TAG = (
    r"</?(?:p|ul|li|blockquote|pre|code|table|thead|tbody|tr|th|td|strong|em|s|mark)>"
    r'|<ol(?: start="[0-9]{1,9}")?>|</ol>|<h[1-6](?: id="[a-z0-9-]+")?>|</h[1-6]>|<hr>|<br>'
)
_RENDERED = re.compile(f"(?:[^<>&\u00a0\r\0\ufeff]++|{_RENDERED_TAG})*+")


def sanitize_rendered(html: str, source: str) -> str:
    """sanitize_html for the HTML markdown-it rendered from the Markdown `source`.

    A source with no "<" holds no raw HTML (nor an autolink), so every tag in the HTML
    is markdown-it's own, opened and closed in pairs. When those tags are all plain ones
    from our allow-list and the text between them has nothing nh3 would write another
    way, nh3 would give the HTML back as it is: most lessons are such HTML, and nh3's
    parse of them was a tenth of a note's whole parse. A property test in
    tests/content/test_parse_properties.py checks that this gives what nh3 gives."""
    if "<" not in source and _RENDERED.fullmatch(html):
        return html
    return sanitize_html(html)
