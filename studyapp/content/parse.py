"""Turn one Markdown note into a ParsedNote: title, sections, sanitized HTML and cards."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import PurePath

import yaml
from markdown_it.token import Token

from studyapp.content.cards import find_cards, shows_nothing
from studyapp.content.markdown import MAX_CONTAINER_MARKERS, flatten_nesting, markdown, normalize
from studyapp.content.parsed import ParsedCard, ParsedNote, ParsedSection, ParseError, Problem
from studyapp.content.sanitize import sanitize_html, sanitize_rendered
from studyapp.content.text import TextError, decode_text
from studyapp.content.topics import slugify

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# PyYAML's wheels carry libyaml: the same safe loader in C, ten times faster than Python's.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# A line of front matter that YAML reads as a word key and a plain value: text that
# starts with a letter (and holds no ":" or "#"), or a whole number without a leading 0.
_PLAIN_FIELD = re.compile(
    r"([A-Za-z][A-Za-z0-9_-]*):[ ]+(?:([A-Za-z](?:[A-Za-z0-9 _.,'()/-]*[A-Za-z0-9.)])?)"
    r"|(0|[1-9][0-9]{0,8}))[ ]*"
)
# YAML 1.1's booleans and null, which such a key or value would be, in any case.
_YAML_WORDS = frozenset(["yes", "no", "true", "false", "on", "off", "null"])


def decode_note(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Return the text of an uploaded note, or raise ParseError saying why it is refused."""
    try:
        return decode_text(data, max_bytes)
    except TextError as error:
        raise ParseError(error.message, error.line) from None


def parse_note_bytes(data: bytes, filename: str, max_bytes: int = DEFAULT_MAX_BYTES) -> ParsedNote:
    """Decode and parse an uploaded note; raise ParseError if it cannot be read."""
    return parse_note(decode_note(data, max_bytes), filename)


def parse_note(text: str, filename: str) -> ParsedNote:
    """Parse a Markdown note; never raises for any text."""
    text, flattened = flatten_nesting(normalize(text))
    problems = [
        Problem(n, f"nested more than {MAX_CONTAINER_MARKERS} levels deep; flattened")
        for n in flattened[:20]
    ]
    md = markdown()
    env: dict = {}
    tokens = md.parse(text, env)

    meta = _front_matter(tokens, problems)
    title = meta.get("title")
    lesson = tokens
    first = next((n for n, t in enumerate(tokens) if t.type != "front_matter"), None)
    if first is not None and tokens[first].type == "heading_open" and tokens[first].tag == "h1":
        heading = _plain_text(tokens[first + 1])
        if title is None or fold_eq(title, heading):
            # The opening heading is the lesson's title: the page shows it once, above.
            title = title or heading
            lesson = tokens[:first] + tokens[first + 3 :]
    headings, sections = _sections(lesson)
    if title is None:
        title = headings[0] if headings else _title_from_filename(filename)

    if "![" in text:  # every image and embed is written with "![": none to skip without
        _skip_local_images(lesson, problems)
    lines = text.split("\n")
    cards, card_problems = find_cards(md, lesson, env, lines)
    problems += card_problems
    html = sanitize_rendered(md.renderer.render(lesson, md.options, env), text)
    return ParsedNote(
        filename=filename,
        title=title[:200],
        html=html,
        sections=sections,
        cards=_unique(cards, problems),
        problems=sorted(problems, key=lambda p: p.line),
        headings=[title, *headings],
        topic=meta.get("topic"),
        order=meta.get("order"),
        aliases=meta.get("aliases", []),
    )


_EMBEDDED = re.compile(r"!\[\[([^\[\]\n|]*)")


def _skip_local_images(tokens: list[Token], problems: list[Problem]) -> None:
    """Name each image the note embeds from beside it (not a web address) as skipped: we
    store no image files, so the lesson shows the image's description in its place."""
    for block in tokens:
        # An image or an embed is written with "![" (an escaped "!" or "&#33;" is none).
        if block.type != "inline" or not block.children or "![" not in block.content:
            continue
        line = block.map[0] + 1 if block.map else 1
        # Obsidian's embeds are gone from the tokens already (markdown._tidy_obsidian).
        for name in _EMBEDDED.findall(block.content):
            problems.append(Problem(line, f"image “{name}” skipped: images are not stored"))
        breaks = 0  # the image's own line: the block's first, plus the breaks before it
        for n, tok in enumerate(block.children):
            if tok.type in ("softbreak", "hardbreak"):
                breaks += 1
            if tok.type != "image":
                continue
            src = str(tok.attrGet("src") or "")
            if src.startswith(("http://", "https://")):
                continue
            alt = "".join(child.content for child in tok.children or [])
            problems.append(
                Problem(
                    line + breaks,
                    f"image “{src}” skipped: images are not stored; its description shows",
                )
            )
            text = Token("text", "", 0)
            text.content = f"[{alt}]" if alt else ""
            block.children[n] = text


def fold_eq(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _front_matter(tokens: list[Token], problems: list[Problem]) -> dict:
    """Return the front matter fields we use, each checked; report the rest as problems."""
    if not tokens or tokens[0].type != "front_matter":
        return {}
    try:
        data = _plain_fields(tokens[0].content)
        if data is None:
            data = yaml.load(tokens[0].content, Loader=_YAML_LOADER)
    except (yaml.YAMLError, RecursionError) as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        problems.append(Problem(line, "front matter is not valid YAML; ignored"))
        return {}
    if data is None:
        return {}
    if not isinstance(data, dict):
        problems.append(Problem(1, "front matter is not a mapping of fields; ignored"))
        return {}
    meta: dict = {}
    if isinstance(title := data.get("title"), str | int | float) and str(title).strip():
        meta["title"] = str(title).strip()
    if (topic := data.get("topic")) is not None:
        slug = slugify(str(topic))
        if slug and _SLUG.match(slug):
            meta["topic"] = slug
        else:
            problems.append(Problem(1, f"front matter topic {topic!r} is not a usable name"))
    if (order := data.get("order")) is not None:
        if isinstance(order, int) and not isinstance(order, bool):
            meta["order"] = order
        else:
            problems.append(Problem(1, "front matter order must be a whole number"))
    aliases = data.get("aliases", [])
    if isinstance(aliases, str):
        aliases = [aliases]
    if isinstance(aliases, list):
        meta["aliases"] = [str(a) for a in aliases if isinstance(a, str | int)][:50]
    return meta


def _plain_fields(content: str) -> dict | None:
    """What yaml.load gives for front matter of plain "key: value" lines, as most notes
    have ("title: ...", "topic: ...", "order: 3"), or None for anything else. yaml.load
    took a fortieth of a note's parse; tests/content/test_parse_properties.py checks
    this against it."""
    fields: dict = {}
    for line in content.split("\n"):
        if not line:
            continue
        m = _PLAIN_FIELD.fullmatch(line)
        if m is None:
            return None
        key, text, number = m.groups()
        if key.lower() in _YAML_WORDS or (text and text.lower() in _YAML_WORDS):
            return None
        fields[key] = text if number is None else int(number)
    return fields or None


def _plain_text(inline: Token) -> str:
    parts = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return " ".join("".join(parts).split())


def _sections(tokens: list[Token]) -> tuple[list[str], list[ParsedSection]]:
    """Give every heading an anchor, shift it one level down under the page's h1."""
    headings: list[str] = []
    sections: list[ParsedSection] = []
    stack: list[tuple[int, str]] = []
    used: set[str] = set()
    for i in [i for i, tok in enumerate(tokens) if tok.type == "heading_open"]:
        tok = tokens[i]
        level = int(tok.tag[1])
        title = _plain_text(tokens[i + 1])[:200] or "Section"
        base = slugify(title) or "section"
        anchor, n = base, 2
        while anchor in used:
            anchor, n = f"{base}-{n}", n + 1
        used.add(anchor)
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, title))
        tok.meta["anchor"] = anchor
        tok.attrSet("id", anchor)
        new_tag = f"h{min(level + 1, 6)}"
        tok.tag = tokens[i + 2].tag = new_tag
        headings.append(title)
        path = tuple(t for _, t in stack)
        sections.append(ParsedSection(anchor, title, level, path, (tok.map or [0])[0] + 1))
    return headings, sections


def _title_from_filename(filename: str) -> str:
    stem = PurePath(filename).stem.replace("_", " ").replace("-", " ").strip()
    return (stem[:1].upper() + stem[1:]) or "Untitled"


def _unique(cards: list[ParsedCard], problems: list[Problem]) -> list[ParsedCard]:
    """Drop repeated cards and sanitize the HTML of the rest; a side that sanitizing
    empties (a script and nothing else) leaves its card out."""
    seen: dict[str, int] = {}
    unique = []
    for card in cards:
        if card.identity in seen:
            problems.append(
                Problem(card.line, f"same card as line {seen[card.identity]}; kept once")
            )
            continue
        front, back = sanitize_html(card.front_html), sanitize_html(card.back_html)
        if shows_nothing(front) or shows_nothing(back):
            problems.append(Problem(card.line, "a card side shows nothing; skipped"))
            continue
        seen[card.identity] = card.line
        if front != card.front_html or back != card.back_html:
            card = replace(card, front_html=front, back_html=back)
        unique.append(card)
    return unique
