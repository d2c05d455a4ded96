"""Obsidian's ``==highlight==`` syntax as a markdown-it inline rule, rendered as <mark>.

mdit-py-plugins has no such plugin, so this follows markdown-it's own strikethrough rule
(the same delimiter algorithm the JavaScript markdown-it-mark plugin uses), with "=".
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_inline.state_inline import Delimiter, StateInline

_EQUALS = 0x3D


def _tokenize(state: StateInline, silent: bool) -> bool:
    if silent or state.src[state.pos] != "=":
        return False
    scanned = state.scanDelims(state.pos, True)
    length = scanned.length
    if length < 2:
        return False
    if length % 2:
        state.push("text", "", 0).content = "="
        length -= 1
    for _ in range(length // 2):
        state.push("text", "", 0).content = "=="
        state.delimiters.append(
            Delimiter(
                marker=_EQUALS,
                length=0,  # like strikethrough: no "rule of 3"
                token=len(state.tokens) - 1,
                end=-1,
                open=scanned.can_open,
                close=scanned.can_close,
            )
        )
    state.pos += scanned.length
    return True


def _pair(state: StateInline, delimiters: list[Delimiter]) -> None:
    lone_markers = []
    for start in delimiters:
        if start.marker != _EQUALS or start.end == -1:
            continue
        end = delimiters[start.end]
        opening = state.tokens[start.token]
        opening.type, opening.tag, opening.nesting = "mark_open", "mark", 1
        opening.markup, opening.content = "==", ""
        closing = state.tokens[end.token]
        closing.type, closing.tag, closing.nesting = "mark_close", "mark", -1
        closing.markup, closing.content = "==", ""
        before = state.tokens[end.token - 1]
        if before.type == "text" and before.content == "=":
            lone_markers.append(end.token - 1)
    # An odd run "=====" leaves one "=" ahead of the closers; move it after them.
    while lone_markers:
        i = lone_markers.pop()
        j = i + 1
        while j < len(state.tokens) and state.tokens[j].type == "mark_close":
            j += 1
        j -= 1
        if i != j:
            state.tokens[i], state.tokens[j] = state.tokens[j], state.tokens[i]


def _post_process(state: StateInline) -> None:
    if "==" not in state.src:  # _tokenize made no delimiter here: nothing to pair
        return
    _pair(state, state.delimiters)
    for meta in state.tokens_meta:
        if meta and "delimiters" in meta:
            _pair(state, meta["delimiters"])


def highlight_plugin(md: MarkdownIt) -> None:
    """Add ``==text==`` -> ``<mark>text</mark>``."""
    # Last in the chain: no other rule starts at "=", so the parse is the same, and the
    # rule is not called at every "*", "[" or "<" that a rule before it takes.
    md.inline.ruler.push("highlight", _tokenize)
    md.inline.ruler2.before("emphasis", "highlight", _post_process)
