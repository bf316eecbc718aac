"""Ids the importers make up: unique within a bank, stable across re-imports of a file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from quizapp.banks.limits import MAX_ID
from quizapp.banks.model import Problem, Question
from quizapp.banks.text import shown


def dedupe_keys(questions: Sequence[Question], file: str) -> tuple[list[Question], list[Problem]]:
    """Give the 2nd, 3rd... question sharing an id the suffix ``-2``, ``-3``..., with a warning.

    The suffix follows the order in the file, so re-importing the same file gives the same ids.
    """
    first_line: dict[str, int | None] = {}
    taken = {q.key for q in questions}
    out: list[Question] = []
    warnings: list[Problem] = []
    for question in questions:
        if question.key not in first_line:
            first_line[question.key] = question.line
            out.append(question)
            continue
        number = 2
        while (key := f"{question.key[: MAX_ID - 1 - len(str(number))]}-{number}") in taken:
            number += 1
        taken.add(key)
        where = f"line {first_line[question.key]}" if first_line[question.key] else "earlier"
        warnings.append(
            Problem(
                file,
                question.line,
                question.key,
                f"has the same id as the question on {where}; imported as {shown(key)} (give it "
                "a title or change its text to choose the id yourself)",
                "warning",
            )
        )
        out.append(replace(question, key=key))
    return out, warnings
