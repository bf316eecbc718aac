"""Size and shape limits for bank files.

The field limits mirror ``bank.schema.json`` (a test keeps the two in step) so that the
foreign formats, which never see the schema, are held to the same rules as native banks.
"""

from __future__ import annotations

MAX_BANK_BYTES = 5 * 1024 * 1024

# Structure caps: they bound the work a hostile file can cause, not what a real bank needs.
# A native bank nests five levels deep (root > questions > question > choices > choice).
MAX_DEPTH = 20
MAX_NODES = 500_000
# Far above any real bank; it bounds the work on line-based formats (CSV, Anki, GIFT), where a
# 5 MB file could otherwise hold hundreds of thousands of one-line records.
MAX_QUESTIONS = 10_000
# Past this many problems a report stops helping; the rest are summarised in one line.
MAX_PROBLEMS = 200

MAX_SLUG = 80
MAX_ID = 100
MAX_TITLE = 200
MAX_DESCRIPTION = 2000
MAX_SOURCE = 300
MAX_TOPIC_NAME = 120
MAX_MARKDOWN = 20_000
MAX_CHOICE = 2000
MIN_CHOICES = 2
MAX_CHOICES = 9
MAX_ACCEPTED = 20
MAX_ACCEPTED_LENGTH = 200
MIN_PAIRS = 2
MAX_PAIRS = 20
MAX_NUMBERS = 20
MIN_KEY_POINTS = 2
MAX_KEY_POINTS = 6
MIN_KEY_POINT_LENGTH = 3
MAX_KEY_POINT_LENGTH = 120
MAX_TAGS = 20
MAX_TAG_LENGTH = 40
