"""A question's text, in the markup its file wrote it in, as sanitized HTML (pure Python)."""

from __future__ import annotations

import html

from studyapp.content.markdown import markdown
from studyapp.content.sanitize import sanitize_html, sanitize_rendered

_MARKDOWN = markdown()


def to_html(text: str, fmt: str) -> str:
    """Render a question's text in its own markup to sanitized HTML."""
    if not text:
        return ""
    if fmt == "markdown":
        return sanitize_rendered(_MARKDOWN.render(text), text)
    if fmt == "plain":
        return html.escape(text).replace("\n", "<br>")
    if fmt == "moodle" and "<" not in text:
        # Moodle's auto-format keeps the line breaks of plain text.
        return sanitize_html(html.escape(text, quote=False).replace("\n", "<br>"))
    return sanitize_html(text)


def inline_html(text: str, fmt: str) -> str:
    """A short text (an answer, a card's side) as HTML, without the one paragraph that
    Markdown wraps even a single word in."""
    html = to_html(text, fmt).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html
