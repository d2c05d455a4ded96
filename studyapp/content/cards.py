"""Find the flashcards in a parsed note.

Explicit cards use the syntax of Obsidian's Spaced Repetition plugin so that notes stay
portable: ``front::back``, ``front:::back`` (one card each way), multi-line cards split by
a line holding only ``?`` (or ``??`` for both ways), ``==highlight==`` clozes and Anki's
``{{c1::answer::hint}}`` clozes. Implicit cards come from definition bullets as students
write them: ``**Term**- text``, ``**Term**: text`` and ``Term: text`` with a short term.

Explicit cards are only looked for in paragraphs, so code, front matter, HTML blocks,
tables and headings never make them; inline code spans and HTML comments are masked out
first. Implicit cards (studyapp/content/implicit.py) also come from definition sentences,
"Term — text" bullets, outline bullets whose sub-bullets answer them, table rows and short
sections under a heading; an explicit card always wins over a guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

from studyapp.content import implicit
from studyapp.content.markdown import EMBED as _EMBED
from studyapp.content.parsed import ParsedCard, Problem, fold

_COMMENT = re.compile(r"<!--.*?-->|%%.*?%%", re.DOTALL)
_CODE_SPAN = re.compile(r"`[^`\n]*`")
# Bounded so that a line full of unmatched "{{c1::" or "==" costs linear time.
_ANKI = re.compile(r"\{\{c(\d{1,3})::([^{}]{0,2000}?)(?:::([^{}]{0,500}))?\}\}")
_HIGHLIGHT = re.compile(r"==(?=[^\s=])([^\n]{1,2000}?)(?<=[^\s=])==")
_PLACEHOLDER = re.compile("\ue000(\\d+)\ue001")

_BOLD_TERM = re.compile(r"(\*\*|__)([^*_\n]{1,80}?)\1")
_AFTER_BOLD = re.compile(r"[ \t]*[:\-–—](?=\s|$)")
_PLAIN_TERM = re.compile(r"([^\W_][^:\n]{0,47}?)(:|(?<=[^\s-])-)(?=[ \t]|$)")
_NOT_TERMS = frozenset(
    [
        "note",
        "notes",
        "nb",
        "eg",
        "e.g",
        "ie",
        "i.e",
        "example",
        "examples",
        "tip",
        "warning",
        "todo",
        "source",
        "sources",
        "see",
        "ref",
        "update",
        "edit",
        "important",
        "summary",
        "question",
        "answer",
        "q",
        "a",
    ]
)
MAX_TERM_WORDS = {":": 5, "-": 4}


@dataclass
class _Context:
    md: MarkdownIt
    env: dict
    tokens: list[Token]
    lines: list[str]
    problems: list[Problem]
    # Tokens that answer a card already (the sub-bullets under a term): no guesses there.
    answering: set[int] = field(default_factory=set)

    def inline(self, src: str) -> str:
        return render_inline(self.md, src, self.env)

    def blocks(self, start: int, stop: int) -> str:
        return self.md.renderer.render(self.tokens[start:stop], self.md.options, self.env)


# Text in which markdown-it's inline rules and ours (tidy_obsidian, highlight) find
# nothing to do: no markup, entity, escape or line break (only spaces between words).
_PLAIN_WORD = r"[^\s\\`*_\[\]!<>&~={}\0]+"
_PLAIN_INLINE = re.compile(f"{_PLAIN_WORD}(?: +{_PLAIN_WORD})*")


def render_inline(md: MarkdownIt, src: str, env: dict) -> str:
    """Render one card side's Markdown as inline HTML.

    Most sides are plain words; for those this skips markdown-it's whole pipeline (a
    parse of its own for every side, half the time of finding a note's cards) and gives
    the same HTML, which tests/content/test_parse_properties.py checks over every
    character."""
    if _PLAIN_INLINE.fullmatch(src) and "::" not in src:
        return src.replace('"', "&quot;")
    return md.renderInline(src, env)


_CARD_TOKENS = frozenset(["inline", "heading_open", "table_open"])


def find_cards(
    md: MarkdownIt, tokens: list[Token], env: dict, lines: list[str]
) -> tuple[list[ParsedCard], list[Problem]]:
    """Return the cards in a note's tokens, and the problems met on the way."""
    ctx = _Context(md, env, tokens, lines, [])
    found: list[ParsedCard] = []
    section = None
    headings: list[int] = []
    # Most tokens open or close a block: pick out the three kinds that matter at once.
    for i, tok in [(i, t) for i, t in enumerate(tokens) if t.type in _CARD_TOKENS]:
        kind = tok.type
        if kind == "inline":
            if tokens[i - 1].type == "paragraph_open" and tok.map:
                found += _paragraph_cards(ctx, i, section)
        elif kind == "heading_open":
            section = tok.meta.get("anchor", section)
            headings.append(i)
        elif kind == "table_open":
            found += _table_cards(ctx, i, section)
    found += _section_cards(ctx, found, headings)
    # A side that shows nothing (invisible characters, a script) is left out by the
    # caller once the sides are sanitized (parse._unique), not here before.
    return _explicit_first(found), ctx.problems


def _explicit_first(cards: list[ParsedCard]) -> list[ParsedCard]:
    """Leave out a guess that asks what an explicit card of the note asks already."""
    asked = {_plain(c.front_html) for c in cards if not c.implicit}
    if not asked:
        return cards
    return [c for c in cards if not c.implicit or _plain(c.front_html) not in asked]


def _plain(html: str) -> str:
    if "<" in html:
        html = _TAG.sub(" ", html)
    return " ".join(html.split()).casefold()


_TAG = re.compile(r"<(?!img\b)[^>]*>")
_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"


def shows_nothing(html: str) -> bool:
    """Whether a card side's HTML shows no text and no image: text of nothing but
    invisible characters (a stray byte order mark, a zero-width space), or tags alone."""
    if "<" in html:
        html = _TAG.sub("", html)
    return not html.strip().strip(_INVISIBLE).strip()


def _mask(text: str, pattern: re.Pattern[str]) -> str:
    return pattern.sub(lambda m: "\0" * len(m.group()), text)


def _paragraph_cards(ctx: _Context, i: int, section: str | None) -> Iterator[ParsedCard]:
    tok = ctx.tokens[i]
    first = tok.map[0] + 1
    # Comments keep their line breaks so that line numbers stay right.
    content = tok.content
    if "<!--" in content or "%%" in content:
        content = _COMMENT.sub(lambda m: "\n" * m.group().count("\n"), content)
    lines = content.split("\n")
    if "?" in content:
        for k, line in enumerate(lines):
            if line.strip() in ("?", "??"):
                yield from _multiline(ctx, i, lines, k, first, section)
                return

    found = False
    rest = content  # the lines that are no "front::back" card
    if "::" in content:
        leftover = []
        for k, line in enumerate(lines):
            split = _split_line(line)
            if split is None:
                leftover.append(line)
                continue
            front, separator, back = split
            if not front or not back:
                if not line.lstrip().startswith(":"):  # "::: note" fences are not cards
                    ctx.problems.append(Problem(first + k, f"'{separator}' with one side empty"))
                continue
            found = True
            yield from _basic(ctx, front, back, separator == ":::", first + k, section)
        rest = "\n".join(leftover)
    if "==" in rest or "{{c" in rest:
        clozes = list(_clozes(ctx, rest, first, section))
        if clozes:
            yield from clozes
            return
    if not found:
        # Under a term whose sub-bullets answer it, only a bolded term is a card of its
        # own: a plain bullet there is part of the answer, not a guess.
        answering = i in ctx.answering
        term_cards = list(_definition(ctx, i, lines, first, section, bold_only=answering))
        yield from term_cards
        if not term_cards and not answering:
            yield from _sentence_cards(ctx, rest, first, section)


def _sentence_cards(
    ctx: _Context, text: str, first: int, section: str | None
) -> Iterator[ParsedCard]:
    """A card for each sentence that defines something ("An AZ is one or more ...")."""
    for found in implicit.definitions(text):
        line = first + text.count("\n", 0, found.start)
        identity = f"{fold(found.term)}\x1f{fold(found.definition)}"
        front, back = ctx.inline(found.term), ctx.inline(found.definition)
        yield ParsedCard("basic", front, back, identity, line, section, implicit=True)


def _table_cards(ctx: _Context, i: int, section: str | None) -> Iterator[ParsedCard]:
    """A card per cell of a table's rows: the row's first cell asks (with the column's
    header, when the table has more than one other column), the cell answers."""
    header: list[str] = []
    rows: list[tuple[int, list[str]]] = []
    row: list[str] | None = None
    k = i
    while k < len(ctx.tokens) and ctx.tokens[k].type != "table_close":
        tok = ctx.tokens[k]
        if tok.type == "tr_open":
            row = []
            rows.append(((tok.map or [0])[0] + 1, row))
        elif tok.type == "inline" and row is not None:
            row.append(tok.content.strip())
        k += 1
    if not rows:
        return
    (_, header), body = rows[0], rows[1:]
    for line, cells in body:
        if len(cells) < 2 or not cells[0]:
            continue
        for j, cell in enumerate(cells[1:], start=1):
            if not cell:
                continue
            ask = (
                cells[0]
                if len(cells) == 2
                else f"{cells[0]} — {header[j] if j < len(header) else ''}"
            )
            identity = f"{fold(ask)}\x1f{fold(cell)}"
            yield ParsedCard(
                "basic", ctx.inline(ask), ctx.inline(cell), identity, line, section, implicit=True
            )


def _section_cards(
    ctx: _Context, made: list[ParsedCard], headings: list[int]
) -> Iterator[ParsedCard]:
    """A card for each short section under a heading that made no card of its own: the
    heading asks (its parent heading after it, for context), the section's first
    sentence or two answer. `headings` are the indexes of the headings' tokens."""
    explicit = {card.section for card in made if not card.implicit}
    guessed: dict[str | None, list[str]] = {}  # the backs of each section's guesses
    for card in made:
        if card.implicit:
            guessed.setdefault(card.section, []).append(card.back_html)
    parents: list[tuple[int, str]] = []  # (level, title) of the headings above
    for at, n in enumerate(headings):
        tok = ctx.tokens[n]
        level, title = int(tok.tag[1]), ctx.tokens[n + 1].content.strip()
        while parents and parents[-1][0] >= level:
            parents.pop()
        parent = parents[-1][1] if parents else ""
        parents.append((level, title))
        anchor = tok.meta.get("anchor")
        if anchor in explicit or not implicit.asks(title):
            continue
        end = headings[at + 1] if at + 1 < len(headings) else len(ctx.tokens)
        body = ctx.tokens[n + 3 : end]
        if not body:
            continue
        if any(t.type in ("table_open", "fence", "code_block", "html_block") for t in body):
            continue
        texts = [t.content for t in body if t.type == "inline"]
        words = sum(len(t.split()) for t in texts)
        if not texts or words > implicit.MAX_SECTION_WORDS:
            continue
        answer = implicit.first_sentences(_IMAGE.sub("", _EMBED.sub("", texts[0])))
        if len(answer.split()) < implicit.MIN_ANSWER_WORDS:
            continue
        folded = " ".join(answer.split()).casefold()
        if any(_plain(back) in folded for back in guessed.get(anchor, [])):
            continue  # its first sentence is a guess of its own already
        context = f" ({parent})" if parent and implicit.asks(parent) else ""
        front_html = ctx.inline(title) + (
            f'<span class="card-context">{ctx.inline(context)}</span>' if context else ""
        )
        identity = f"{fold(title)}\x1f{fold(answer)}"
        line = (tok.map or [0])[0] + 1
        yield ParsedCard(
            "basic", front_html, ctx.inline(answer), identity, line, anchor, implicit=True
        )


def _split_line(line: str) -> tuple[str, str, str] | None:
    if "::" not in line:
        return None
    masked = _mask(_mask(line, _CODE_SPAN), _ANKI)
    for separator in (":::", "::"):
        at = masked.find(separator)
        if at >= 0:
            return line[:at].strip(), separator, line[at + len(separator) :].strip()
    return None


def _basic(
    ctx: _Context, front: str, back: str, both_ways: bool, line: int, section: str | None
) -> Iterator[ParsedCard]:
    front_html, back_html = ctx.inline(front), ctx.inline(back)
    kind = "reversed" if both_ways else "basic"
    yield ParsedCard(kind, front_html, back_html, f"{fold(front)}\x1f{fold(back)}", line, section)
    if both_ways:
        yield ParsedCard(
            kind, back_html, front_html, f"{fold(back)}\x1f{fold(front)}", line, section
        )


def _multiline(
    ctx: _Context, i: int, lines: list[str], k: int, first: int, section: str | None
) -> Iterator[ParsedCard]:
    question = "\n".join(lines[:k]).strip()
    answer = "\n".join(lines[k + 1 :]).strip()
    # The answer goes on through the blocks that follow without a blank line between,
    # such as a list right under the "?" line.
    start = stop = i + 2
    end_line = ctx.tokens[i].map[1]
    level = ctx.tokens[i - 1].level
    while stop < len(ctx.tokens):
        tok = ctx.tokens[stop]
        if tok.level != level or not tok.map or tok.map[0] != end_line:
            break
        # A list's map runs on over the blank line after it; that line is not content.
        end_line = tok.map[1]
        while end_line > tok.map[0] and not ctx.lines[end_line - 1].strip():
            end_line -= 1
        if tok.nesting == 1:
            while not (ctx.tokens[stop].nesting == -1 and ctx.tokens[stop].level == level):
                stop += 1
        stop += 1
    blocks_src = "\n".join(ctx.lines[ctx.tokens[i].map[1] : end_line])
    line = first
    if not question or not (answer or stop > start):
        ctx.problems.append(Problem(line, "'?' card needs text above and below it"))
        return
    front_html = ctx.inline(question)
    back_html = (ctx.inline(answer) if answer else "") + ctx.blocks(start, stop)
    answer_text = fold(f"{answer}\n{blocks_src}")
    both_ways = lines[k].strip() == "??"
    kind = "reversed" if both_ways else "basic"
    yield ParsedCard(
        kind, front_html, back_html, f"{fold(question)}\x1f{answer_text}", line, section
    )
    if both_ways:
        identity = f"{answer_text}\x1f{fold(question)}"
        yield ParsedCard(kind, back_html, front_html, identity, line, section)


def _clozes(ctx: _Context, text: str, first: int, section: str | None) -> Iterator[ParsedCard]:
    masked = _mask(text, _CODE_SPAN)
    deletions = []  # (start, end, group, answer source, hint)
    for m in _ANKI.finditer(masked):
        deletions.append(
            (m.start(), m.end(), f"c{m.group(1)}", text[m.start(2) : m.end(2)], m.group(3))
        )
    masked = _mask(masked, _ANKI)
    for m in _HIGHLIGHT.finditer(masked):
        answer = text[m.start(1) : m.end(1)]
        deletions.append((m.start(), m.end(), f"={fold(answer)}", answer, None))
    if not deletions:
        return
    deletions.sort()
    pieces, at = [], 0
    for n, (start, end, *_rest) in enumerate(deletions):
        pieces += [text[at:start], f"\ue000{n}\ue001"]
        at = end
    pieces.append(text[at:])
    html = ctx.inline("".join(pieces))
    answers = [ctx.inline(answer) for _s, _e, _g, answer, _h in deletions]
    whole = fold(text)
    line = first + text.count("\n", 0, deletions[0][0])
    groups = list(dict.fromkeys(group for _s, _e, group, _a, _h in deletions))
    for group in groups:

        def side(m: re.Match[str], shown: bool, group: str = group) -> str:
            n = int(m.group(1))
            if deletions[n][2] != group:
                return answers[n]
            if shown:
                return f'<mark class="cloze">{answers[n]}</mark>'
            hint = deletions[n][4]
            label = ctx.inline(hint.strip()) if hint and hint.strip() else "…"
            return f'<span class="cloze-blank">[{label}]</span>'

        front = _PLACEHOLDER.sub(lambda m: side(m, False), html)
        back = _PLACEHOLDER.sub(lambda m: side(m, True), html)
        yield ParsedCard("cloze", front, back, f"{whole}\x1f{group}", line, section)


def _definition(
    ctx: _Context,
    i: int,
    lines: list[str],
    first: int,
    section: str | None,
    bold_only: bool = False,
) -> Iterator[ParsedCard]:
    in_item = ctx.tokens[i - 2].type == "list_item_open" if i >= 2 else False
    head = lines[0]
    term = _term(head, plain_allowed=in_item and not bold_only)
    outline = False
    if term is None and in_item and not bold_only:
        term = implicit.dash_term(head)
        outline = len(lines) == 1 and _has_sub_list(ctx, i) and implicit.is_term(head)
        if term is None and outline:
            term = (head.strip().rstrip(":").strip(), "")  # an outline: its sub-bullets answer
    if term is None:
        return
    front, answer = term
    answer = "\n".join([answer, *lines[1:]]).strip()
    start = stop = i + 2
    blocks_src = ""
    if in_item:
        item = ctx.tokens[i - 2]
        while not (
            ctx.tokens[stop].type == "list_item_close" and ctx.tokens[stop].level == item.level
        ):
            stop += 1
        blocks_src = "\n".join(ctx.lines[ctx.tokens[i].map[1] : item.map[1]])
    if not answer and stop == start:
        return
    if outline:  # the sub-bullets are its answer, not guesses of their own
        ctx.answering.update(range(start, stop))
    back_html = (ctx.inline(answer) if answer else "") + (
        ctx.blocks(start, stop) if stop > start else ""
    )
    identity = f"{fold(front)}\x1f{fold(answer + chr(10) + blocks_src)}"
    yield ParsedCard("basic", ctx.inline(front), back_html, identity, first, section, implicit=True)


def _has_sub_list(ctx: _Context, i: int) -> bool:
    """Whether the list item whose first paragraph is tokens[i] holds a list under it."""
    nxt = ctx.tokens[i + 2] if i + 2 < len(ctx.tokens) else None
    return nxt is not None and nxt.type in ("bullet_list_open", "ordered_list_open")


def _term(line: str, plain_allowed: bool) -> tuple[str, str] | None:
    """Split a definition line into (term, rest), or None when it is not one."""
    if m := _BOLD_TERM.match(line):
        term, rest = m.group(2).strip(), line[m.end() :]
        if term.endswith(":"):
            term = term[:-1].rstrip()
        elif sep := _AFTER_BOLD.match(rest):
            rest = rest[sep.end() :]
        else:
            return None
        return (term, rest.strip()) if term else None
    if not plain_allowed or not (m := _PLAIN_TERM.match(line)):
        return None
    term, separator = m.group(1).strip(), m.group(2)
    words = term.split()
    if len(words) > MAX_TERM_WORDS[separator] or term.casefold().rstrip(".") in _NOT_TERMS:
        return None
    return term, line[m.end() :].strip()
