"""Question banks: parse, validate and export (pure; no Flask, no database).

``parse_bank`` reads the native YAML/JSON format, CSV, Anki plain-text exports and Moodle
GIFT into one model (``Bank``/``Question``); ``dump_yaml``/``dump_csv`` write it back.
"""

from __future__ import annotations

from quizapp.banks.export import dump_csv, dump_yaml
from quizapp.banks.limits import MAX_BANK_BYTES
from quizapp.banks.model import (
    DIFFICULTIES,
    QUESTION_TYPES,
    Bank,
    Choice,
    ParseResult,
    Problem,
    Question,
    Topic,
)
from quizapp.banks.parse import EXTENSIONS, FORMATS, format_for, parse_bank

__all__ = [
    "DIFFICULTIES",
    "EXTENSIONS",
    "FORMATS",
    "MAX_BANK_BYTES",
    "QUESTION_TYPES",
    "Bank",
    "Choice",
    "ParseResult",
    "Problem",
    "Question",
    "Topic",
    "dump_csv",
    "dump_yaml",
    "format_for",
    "parse_bank",
]
