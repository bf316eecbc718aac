"""Turn uploaded bytes into text: size cap, UTF-8 only (BOM allowed), LF line endings."""

from __future__ import annotations

import codecs

from quizapp.banks.errors import SourceError
from quizapp.banks.limits import MAX_BANK_BYTES
from quizapp.banks.text import normalize_newlines

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def decode_bank(data: bytes) -> str:
    """Return the text of a bank file, or raise SourceError saying why it cannot be read."""
    # Checked before decoding so that an oversized upload costs nothing more.
    if len(data) > MAX_BANK_BYTES:
        raise SourceError(
            f"file is too large: {len(data):,} bytes; the limit is {MAX_BANK_BYTES:,} "
            f"({_megabytes(MAX_BANK_BYTES)})"
        )
    if data.startswith(_UTF16_BOMS):
        raise SourceError("file is UTF-16; save it as UTF-8", 1)
    # Offsets in messages count from the start of the file, BOM included.
    skip = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        text = data[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = skip + exc.start
        raise SourceError(
            f"file is not UTF-8 at byte {offset} (0x{data[offset]:02x}); save it as UTF-8",
            _line_of(data, offset),
        ) from None
    nul = text.find("\0")
    if nul != -1:
        offset = skip + len(text[:nul].encode("utf-8"))
        raise SourceError(
            f"file contains a NUL character at byte {offset}; is it a binary file?",
            _line_of(data, offset),
        )
    if not text.strip():
        raise SourceError("file is empty")
    return normalize_newlines(text)
