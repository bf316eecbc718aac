"""Pure scheduling logic: SM-2, study days, the daily queue, grading and practice.

Nothing in this package does I/O, reads the clock or imports Flask or SQLAlchemy: "now" and
"today" are always parameters. Modules, one job each:

- ``sm2``: the SM-2 algorithm, its grade scale and the card state.
- ``studyday``: a user's study day (local date with a configurable day-start hour) and its
  UTC bounds.
- ``queue``: the order of the day's reviews and new questions, and where a failed item is
  asked again within a session.
- ``grading``: how an answer maps to an SM-2 grade.
- ``practice``: practice answers on cards that are not due, and the interview-date cap.

Every invalid argument (wrong type or out-of-range value) raises ``ValueError``.
"""
