"""Anki's own queue build on a collection with the same card counts (optional: `anki` extra).

Run as a module in its own process (``python -m bench.anki_queue N_REVIEW N_DUE N_NEW``) so
that Anki's Rust backend never shares a process with the app; it prints one JSON line when
its collection is built, then one per queue build asked for on stdin.
"""

from __future__ import annotations

import json
import os
import random
import sys
import tempfile
import time

DAYS_SINCE_CREATION = 1000
# DeckConfig.Config.ReviewCardOrder: the order closest to the app's (overdue / interval).
RELATIVE_OVERDUENESS = 12


def build(path: str, n_review: int, n_due: int, n_new: int) -> None:
    """A collection of `n_review` review cards (`n_due` due) and `n_new` new ones, one deck."""
    from anki.collection import AddNoteRequest, Collection

    col = Collection(path)
    # Day numbers far from 0, as in a collection used for years.
    col.db.execute("update col set crt = crt - ?", DAYS_SINCE_CREATION * 86400)
    col.close()
    col = Collection(path)
    notetype = col.models.by_name("Basic")
    deck_id = col.decks.id("Default")
    requests = []
    for i in range(n_review + n_new):
        note = col.new_note(notetype)
        note["Front"] = f"Question {i}: which statement about `lazy evaluation` is right?"
        note["Back"] = f"Answer {i}: the query runs when the result is first used."
        requests.append(AddNoteRequest(note=note, deck_id=deck_id))
    col.add_notes(requests)
    today = col.sched.today
    card_ids = col.db.list("select id from cards order by id")
    rng = random.Random(2)
    due_positions = set(rng.sample(range(n_review), n_due))
    rows = []
    for i, card_id in enumerate(card_ids[:n_review]):
        interval = rng.choice((1, 3, 6, 14, 30, 70, 160))
        due = today - rng.randrange(0, 40) if i in due_positions else today + rng.randrange(1, 200)
        rows.append((interval, due, rng.randrange(1300, 3000), card_id))
    col.db.executemany(
        "update cards set type = 2, queue = 2, ivl = ?, due = ?, factor = ?, reps = 3 where id = ?",
        rows,
    )
    config = col.decks.config_dict_for_deck_id(deck_id)
    config["new"]["perDay"] = 20
    config["rev"]["perDay"] = 200
    col.decks.save(config)
    # The app's limits are independent: 20 new whatever the reviews; so are Anki's here.
    col.set_config("newCardsIgnoreReviewLimit", True)
    col.close()


def set_review_order(path: str, order: int) -> None:
    """Switch the deck's review order (the default is by due day)."""
    from anki.collection import Collection

    col = Collection(path)
    config = col.decks.config_dict_for_deck_id(col.decks.id("Default"))
    config["reviewOrder"] = order
    col.decks.save(config)
    col.close()


def measure_once(path: str) -> dict[str, float | int]:
    """One get_queued_cards() on a freshly opened collection: its time and its counts."""
    from anki.collection import Collection

    col = Collection(path)
    start = time.perf_counter()
    queued = col.sched.get_queued_cards()
    seconds = time.perf_counter() - start
    counts = (queued.new_count, queued.review_count)
    col.close()
    return {"seconds": seconds, "new": counts[0], "review": counts[1]}


def main() -> None:
    """Build a collection in a temp dir, then time one queue build per line read from stdin.

    Served this way, the caller can time Anki's build and its own in turns, so a change in
    the machine's speed during the run hits both alike. A line "overdue" switches the deck to
    relative-overdueness order first; an empty line or end of input stops.
    """
    n_review, n_due, n_new = (int(a) for a in sys.argv[1:4])
    try:
        from anki.buildinfo import version
    except ImportError as exc:
        print(json.dumps({"error": f"the anki package is not installed ({exc})"}), flush=True)
        return
    with tempfile.TemporaryDirectory(prefix="bench-anki-") as tmp:
        path = os.path.join(tmp, "collection.anki2")
        started = time.perf_counter()
        build(path, n_review, n_due, n_new)
        built = time.perf_counter() - started
        print(json.dumps({"version": str(version), "build_seconds": built}), flush=True)
        order = "default"
        for line in sys.stdin:
            wanted = line.strip()
            if not wanted:
                break
            if wanted != order:
                set_review_order(path, RELATIVE_OVERDUENESS)
                order = wanted
            print(json.dumps(measure_once(path)), flush=True)


if __name__ == "__main__":
    main()
