"""The configured Markdown parser, and the clean-ups it needs for notes from the wild."""

from __future__ import annotations

import re
from functools import cache

from markdown_it import MarkdownIt, rules_core, rules_inline
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin

from studyapp.content.highlight import highlight_plugin

# markdown-it stops descending at maxNesting and silently drops what lies deeper, and its
# link parsing costs grow with maxNesting, so we keep its default of 20 and flatten the
# input instead: at most 3 container markers on a line ("> - 1.") and 12 columns of
# indentation (6 list levels), which keeps every note within 2 * (3 + 6) < 20 levels.
MAX_CONTAINER_MARKERS = 3
MAX_INDENT_COLUMNS = 12
_MAX_NESTING = 20

_CONTAINER = re.compile(r"[ \t]*(?:>[ \t]?|[-+*][ \t]+|\d{1,9}[.)][ \t]+)")
# A line with more container markers than that, or indented past MAX_INDENT_COLUMNS
# (each group one 4-column tab stop reached by spaces or a tab, and one more blank goes
# past it). Possessive quantifiers: the whitespace between markers could otherwise be
# split in exponentially many ways while backtracking.
_DEEP_LINE = (
    rf"(?:[ \t]*+(?:>[ \t]?+|[-+*][ \t]++|\d{{1,9}}[.)][ \t]++)){{{MAX_CONTAINER_MARKERS + 1}}}"
    rf"|(?: {{0,3}}\t| {{4}}){{{MAX_INDENT_COLUMNS // 4}}}[ \t]"
)
# The first line, then every other one in one pass: most notes have no such line. The
# literal "\n" lets the regex engine skip from line end to line end; a "^" in MULTILINE
# mode was tried at every character (a fiftieth of a whole parse).
_TOO_DEEP_FIRST = re.compile(_DEEP_LINE)
_TOO_DEEP_NEXT = re.compile(f"\n(?:{_DEEP_LINE})")
_LEADING_WS = re.compile(r"^[ \t]*")
_FENCE = re.compile(r"^[ \t>]*(?:`{3,}|~{3,})")

# Every pattern below stops at the next bracket or brace, so a long run of "[[" or "{{"
# costs linear time instead of a rescan to the end of the text from each one.
_ANKI_CLOZE = re.compile(r"\{\{c\d+::([^{}]*?)(?:::[^{}]*)?\}\}")
EMBED = re.compile(r"!\[\[[^\[\]\n]*\]\]")  # an Obsidian embed, ![[image.png]]
_WIKILINK = re.compile(r"\[\[([^\[\]|\n]*)(?:\|([^\[\]\n]*))?\]\]")
_SEPARATOR = re.compile(r":::?")


def normalize(text: str) -> str:
    """Return text without a BOM, with \\n line ends and no NUL characters."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\0", "\ufffd") if "\0" in text else text


def _columns(whitespace: str) -> int:
    col = 0
    for ch in whitespace:
        col = col + 4 - col % 4 if ch == "\t" else col + 1
    return col


def flatten_nesting(text: str) -> tuple[str, list[int]]:
    """Cap container depth and indentation; return the text and the 1-based lines changed."""
    if not (_TOO_DEEP_FIRST.match(text) or _TOO_DEEP_NEXT.search(text)):
        return text, []
    lines = text.split("\n")
    changed = []
    in_fence = False
    for number, line in enumerate(lines):
        if _FENCE.match(line):
            in_fence = not in_fence
        if in_fence:
            continue  # indentation is content in code, e.g. a CloudFormation template
        new = line
        markers = pos = kept = 0
        while (m := _CONTAINER.match(new, pos)) and m.end() > pos:
            markers += 1
            pos = m.end()
            if markers == MAX_CONTAINER_MARKERS:
                kept = pos
        if markers > MAX_CONTAINER_MARKERS:
            new = new[:kept] + " " + new[pos:]
        indent = _LEADING_WS.match(new).group()
        if _columns(indent) > MAX_INDENT_COLUMNS:
            new = " " * MAX_INDENT_COLUMNS + new[len(indent) :]
        if new != line:
            lines[number] = new
            changed.append(number + 1)
    return "\n".join(lines), changed


def _keep_card_lines(children: list[Token]) -> list[Token]:
    """Break lines where the note does, and drop the lone "?" lines of multi-line cards."""
    kept: list[Token] = []
    skip_break = False
    for tok in children:
        if tok.type == "softbreak":
            if skip_break:
                skip_break = False
                continue
            tok.type, tok.tag = "hardbreak", "br"
        elif tok.type == "text" and tok.content.strip() in ("?", "??") and kept:
            skip_break = kept[-1].type == "hardbreak"
            continue
        kept.append(tok)
    return kept


def _tidy_obsidian(state: StateCore) -> None:
    """Show flashcard and Obsidian syntax as readable text in the rendered lesson."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        # A paragraph of cards is a list of lines, not prose to be reflowed.
        content = block.content
        if "::" in content or "\n?" in content:
            block.children = _keep_card_lines(block.children)
        # A text below has "{{", "[[" or "::" only if the content has "{", "[" or ":"
        # (escapes may take characters out between them, never add them); one written
        # as entities (&#91;&#91;) is shown as written, as its writer asked.
        if "{" not in content and "[" not in content and ":" not in content:
            continue
        for tok in block.children:
            if tok.type != "text":
                continue
            text = tok.content
            if "{{" in text:
                text = _ANKI_CLOZE.sub(r"\1", text)
            if "[[" in text:
                text = EMBED.sub("", text)
                text = _WIKILINK.sub(lambda m: m.group(2) or m.group(1), text)
            if "::" in text:
                text = _SEPARATOR.sub(" — ", text)
            tok.content = text


# The characters an enabled inline rule starts at, and "]", which ends a link's label
# (its scan stops only at characters the text rule stops at). markdown-it stops its text
# runs at more ("#$%+-:>@^{}", kept for plugins we do not use, linkify's ":" among them)
# and tries every rule at each of them before taking it as text: in notes full of
# "Term: text" and "front::back" that was a twentieth of the whole parse. The tokens are
# the same (tests/content/test_parse_properties.py); a rule added here needs its
# character added too, and that test names the rules it knows.
INLINE_RULES = (
    *("text", "newline", "escape", "backticks", "strikethrough", "emphasis", "link"),
    *("image", "autolink", "html_inline", "entity", "highlight"),
)
_INLINE_STARTS = re.compile(r"[\n\\`~*_\[\]!<&=]")


def _normalize_line_ends(state: StateCore) -> None:
    """markdown-it's own normalize, skipped where it would change nothing: it rewrites
    every "\n" of the text as "\n", a fortieth of the parse, and parse_note has
    normalized the text already."""
    if "\r" in state.src or "\0" in state.src:
        rules_core.normalize(state)


class Renderer(RendererHTML):
    """markdown-it's HTML renderer with its two commonest cases done inside its loop:
    text (its `text` rule) and a tag with no rule of its own (its `renderToken`). A note
    is mostly these; a method call or two for each of them was a tenth of a note's
    whole parse. The HTML is the same, which tests/content/test_parse_properties.py
    checks; a rule added with add_render_rule still wins over both."""

    def render(self, tokens, options, env) -> str:
        rules = self.rules
        own_text = getattr(rules.get("text"), "__func__", None) is RendererHTML.text
        xhtml = options["xhtmlOut"]
        out: list[str] = []
        last = len(tokens) - 1
        for i, token in enumerate(tokens):
            kind = token.type
            if kind == "text" and own_text:
                out.append(escapeHtml(token.content))
            elif kind == "inline":
                if token.children:
                    out.append(self.render(token.children, options, env))
            elif kind in rules:
                out.append(rules[kind](tokens, i, options, env))
            elif not token.hidden:  # a hidden paragraph in a tight list shows no tag
                nesting, block = token.nesting, token.block
                # A newline between a hidden paragraph and the block tag after it.
                if block and nesting != -1 and i and tokens[i - 1].hidden:
                    out.append("\n")
                out.append(f"</{token.tag}" if nesting == -1 else f"<{token.tag}")
                if token.attrs:
                    out.append(self.renderAttrs(token))
                if nesting == 0 and xhtml:
                    out.append(" /")
                # A block tag ends its line unless it opens text or its own close.
                if block and nesting == 1 and i < last:
                    following = tokens[i + 1]
                    block = not (
                        following.type == "inline"
                        or following.hidden
                        or (following.nesting == -1 and following.tag == token.tag)
                    )
                out.append(">\n" if block else ">")
        return "".join(out)

    def renderInline(self, tokens, options, env) -> str:
        # The children of an inline token hold no inline token: the same loop serves.
        return self.render(tokens, options, env)


def _strikethrough_pairs(state: StateInline) -> None:
    """markdown-it's strikethrough pairing, skipped where its rule made no delimiter (it
    makes them only at "~~"): it walks every token of every paragraph, each time."""
    if "~~" in state.src:
        rules_inline.strikethrough.postProcess(state)


def parser() -> MarkdownIt:
    """Return a new parser for lessons and cards (CommonMark + tables + notes syntax)."""
    md = MarkdownIt(
        "commonmark",
        # HTML5 tags ("<br>", not "<br />"), as nh3 writes them back: see sanitize_rendered.
        {"html": True, "xhtmlOut": False, "maxNesting": _MAX_NESTING},
        renderer_cls=Renderer,
    )
    md.core.ruler.at("normalize", _normalize_line_ends)
    md.inline.ruler2.at("strikethrough", _strikethrough_pairs)
    md.enable(["table", "strikethrough"])
    md.use(front_matter_plugin).use(highlight_plugin)
    md.core.ruler.push("tidy_obsidian", _tidy_obsidian)
    md.inline.terminator_re = _INLINE_STARTS
    return md


@cache
def markdown() -> MarkdownIt:
    """Return the parser shared by lessons and cards."""
    return parser()
