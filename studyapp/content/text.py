"""Uploaded bytes as text: the one decoder for notes and quiz files alike (pure Python).

UTF-8, with a byte-order mark dropped (Windows editors write one). Refused, with the line
where the trouble is: over the size limit, a NUL character (a binary file, and one that
PostgreSQL could not store anyway), or bytes that are not UTF-8.
"""

from __future__ import annotations


class TextError(ValueError):
    """Bytes that cannot be read as text; the message says why, for the person."""

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def megabytes(size: int) -> str:
    """Return a byte count as people read a limit: "2 MB", "0.5 MB"."""
    return f"{size / 1024 / 1024:g} MB"


def decode_text(data: bytes, max_bytes: int) -> str:
    """Return uploaded bytes as text, or raise TextError naming the line."""
    if len(data) > max_bytes:
        raise TextError(f"the file is over {megabytes(max_bytes)}, the limit ({len(data):,} bytes)")
    refuse_nul(data)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise TextError(f"not UTF-8 text (byte 0x{data[error.start]:02x})", line) from None


def refuse_nul(text: str | bytes) -> None:
    """Raise TextError naming the line of the first NUL character, if there is one."""
    nul, newline = ("\0", "\n") if isinstance(text, str) else (b"\0", b"\n")
    if nul in text:
        line = text.count(newline, 0, text.index(nul)) + 1
        raise TextError("a NUL character, which text does not hold (is this a binary file?)", line)
