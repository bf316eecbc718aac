"""Admin forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import Length, Optional, Regexp

from quizapp.banks import FORMATS

# Anki field numbers: "1,3,2" (the prompt's, the answer's, then explanation fields).
_FIELD_NUMBERS = [
    Length(max=60),
    Regexp(r"^\s*\d+(\s*,\s*\d+)+\s*$", message="Write field numbers, e.g. 1,3,2."),
]


class UploadForm(FlaskForm):
    """Upload a bank file for a preview."""

    file = FileField("Bank file", validators=[FileRequired("Choose a file to upload.")])
    format = SelectField(
        "Format",
        choices={"": "From the file (extension and content)", **{f: f.upper() for f in FORMATS}},
        default="",
    )
    strict = BooleanField(
        "Strict: fail on unsupported GIFT question kinds instead of skipping them"
    )
    fields = StringField(
        "Anki fields (optional): prompt, answer, explanation",
        validators=[Optional(), *_FIELD_NUMBERS],
    )


class FieldsForm(FlaskForm):
    """Choose again which fields of an uploaded Anki export are which."""

    fields = StringField("Fields: prompt, answer, explanation", validators=_FIELD_NUMBERS)
