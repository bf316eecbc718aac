"""Admin forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField

from quizapp.banks import FORMATS


class UploadForm(FlaskForm):
    """Upload a bank file for a preview."""

    file = FileField("Bank file", validators=[FileRequired("Choose a file to upload.")])
    format = SelectField(
        "Format",
        choices={"": "From the file extension", **{f: f.upper() for f in FORMATS}},
        default="",
    )
    strict = BooleanField(
        "Strict: fail on unsupported GIFT question kinds instead of skipping them"
    )
