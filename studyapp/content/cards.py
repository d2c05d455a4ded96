"""Find the flashcards in a parsed note.

Explicit cards use the syntax of Obsidian's Spaced Repetition plugin so that notes stay
portable: ``front::back``, ``front:::back`` (one card each way), multi-line cards split by
a line holding only ``?`` (or ``??`` for both ways), ``==highlight==`` clozes and Anki's
``{{c1::answer::hint}}`` clozes. Implicit cards come from definition bullets as students
write them: ``**Term**- text``, ``**Term**: text`` and ``Term: text`` with a short term.

Cards are only looked for in paragraphs, so code, front matter, HTML blocks, tables and
headings never make cards; inline code spans and HTML comments are masked out first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token

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

    def inline(self, src: str) -> str:
        return self.md.renderInline(src, self.env)

    def blocks(self, start: int, stop: int) -> str:
        return self.md.renderer.render(self.tokens[start:stop], self.md.options, self.env)


def find_cards(
    md: MarkdownIt, tokens: list[Token], env: dict, lines: list[str]
) -> tuple[list[ParsedCard], list[Problem]]:
    """Return the cards in a note's tokens, and the problems met on the way."""
    ctx = _Context(md, env, tokens, lines, [])
    cards: list[ParsedCard] = []
    section = None
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open":
            section = tok.meta.get("anchor", section)
        elif tok.type == "inline" and tokens[i - 1].type == "paragraph_open" and tok.map:
            for card in _paragraph_cards(ctx, i, section):
                # Text of nothing but invisible characters (a stray byte order mark, a
                # zero-width space) renders to an empty side: not a card anyone can study.
                if _blank(card.front_html) or _blank(card.back_html):
                    ctx.problems.append(Problem(card.line, "a card side shows nothing; skipped"))
                else:
                    cards.append(card)
    return cards, ctx.problems


_TAG = re.compile(r"<(?!img\b)[^>]*>")
_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"


def _blank(html: str) -> bool:
    return not _TAG.sub("", html).strip().strip(_INVISIBLE).strip()


def _mask(text: str, pattern: re.Pattern[str]) -> str:
    return pattern.sub(lambda m: "\0" * len(m.group()), text)


def _paragraph_cards(ctx: _Context, i: int, section: str | None) -> Iterator[ParsedCard]:
    tok = ctx.tokens[i]
    first = tok.map[0] + 1
    # Comments keep their line breaks so that line numbers stay right.
    content = _COMMENT.sub(lambda m: "\n" * m.group().count("\n"), tok.content)
    lines = content.split("\n")
    for k, line in enumerate(lines):
        if line.strip() in ("?", "??"):
            yield from _multiline(ctx, i, lines, k, first, section)
            return

    leftover = []
    found = False
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
        yield from _definition(ctx, i, lines, first, section)


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
    ctx: _Context, i: int, lines: list[str], first: int, section: str | None
) -> Iterator[ParsedCard]:
    in_item = ctx.tokens[i - 2].type == "list_item_open" if i >= 2 else False
    head = lines[0]
    term = _term(head, plain_allowed=in_item)
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
    back_html = (ctx.inline(answer) if answer else "") + ctx.blocks(start, stop)
    identity = f"{fold(front)}\x1f{fold(answer + chr(10) + blocks_src)}"
    yield ParsedCard("basic", ctx.inline(front), back_html, identity, first, section)


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
