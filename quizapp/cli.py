"""flask commands: users, banks and reviews."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError

from quizapp.auth.forms import MIN_PASSWORD_LENGTH
from quizapp.banks import FORMATS
from quizapp.banks.export import dump_csv, dump_yaml
from quizapp.extensions import db
from quizapp.jobs.cli import register_jobs_cli
from quizapp.models import Review
from quizapp.services import accounts, backup
from quizapp.services import banks as banks_overview
from quizapp.services.bank_export import load_bank
from quizapp.services.bank_files import find_bank_files, read_bank_file
from quizapp.services.bank_import import ImportConflict, apply_import, plan_import
from quizapp.services.verify import verify_reviews


def needs_schema(command: Callable[..., Any]) -> Callable[..., Any]:
    """Give a clear error instead of a traceback when the database was never migrated."""

    @functools.wraps(command)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not inspect(db.engine).has_table("users"):
            raise click.ClickException(
                "the database has no tables yet; run `flask --app quizapp db upgrade` first"
            )
        return command(*args, **kwargs)

    return wrapped


users_cli = AppGroup("users", help="Manage accounts.")
banks_cli = AppGroup("banks", help="Import, list and export question banks.")
reviews_cli = AppGroup("reviews", help="Check the review log.")


@users_cli.command("create-admin")
@click.argument("email")
@click.option(
    "--password-env",
    metavar="VAR",
    help="Read the password from this environment variable instead of prompting.",
)
@needs_schema
def create_admin(email: str, password_env: str | None) -> None:
    """Create an admin account, or promote an existing user to admin."""
    if "@" not in email or len(email) > 254:
        raise click.BadParameter("not an email address", param_hint="EMAIL")
    existing = accounts.find_user_by_email(email)
    if password_env:
        password = os.environ.get(password_env)
        if not password:
            raise click.UsageError(f"environment variable {password_env} is empty or not set")
    elif existing is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = None
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise click.UsageError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    try:
        user, created = accounts.set_admin(email, password)
    except (ValueError, IntegrityError, accounts.EmailTaken) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{'Created' if created else 'Promoted'} admin {user.email}")


@banks_cli.command("import")
@click.argument("paths", nargs=-1, required=True)
@click.option("--dry-run", is_flag=True, help="Validate and show what would change; write nothing.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Override the format.")
@click.option("--strict", is_flag=True, help="Fail a file on unsupported GIFT question kinds.")
@click.option("--quiet", is_flag=True, help="Print only problems and the totals.")
@click.option(
    "--fields",
    metavar="PROMPT,ANSWER[,EXPLANATION...]",
    help="Anki exports: which note fields are the prompt, the answer and the explanation "
    "(numbers from 1, e.g. 1,3,2). Default: 1,2 and every other field as the explanation.",
)
@needs_schema
def import_banks(
    paths: tuple[str, ...],
    dry_run: bool,
    fmt: str | None,
    strict: bool,
    quiet: bool,
    fields: str | None,
) -> None:
    """Import bank files or folders (each file is one transaction)."""
    files, missing = find_bank_files(paths)
    failures = len(missing)
    for raw in missing:
        click.echo(f"error: {raw}: no such file or folder", err=True)
    lines: list[str] = []
    # The bar goes to stderr and hides itself when stderr is not a terminal.
    with click.progressbar(files, label="Importing", hidden=quiet or len(files) < 4) as bar:
        for path in bar:
            result = read_bank_file(path, fmt, strict=strict, fields=fields)
            for problem in result.problems:
                # Warnings say so themselves; errors get the prefix.
                lines.append(str(problem) if problem.severity == "warning" else f"error: {problem}")
            if result.bank is None:
                failures += 1
                continue
            try:
                plan = plan_import(result.bank) if dry_run else apply_import(result.bank)
            except ImportConflict as exc:
                failures += 1
                lines.append(f"error: {path}: {exc}")
                continue
            if not quiet or plan.changed:
                lines.append(("would import " if dry_run else "") + plan.summary())
    for line in lines:
        click.echo(line, err=line.startswith("error") or ": warning: " in line)
    verb = "checked" if dry_run else "imported"
    done = len(files) - (failures - len(missing))
    click.echo(f"{done} of {len(files)} file(s) {verb}; {failures} failed")
    if failures:
        raise SystemExit(1)


@banks_cli.command("list")
@needs_schema
def list_banks() -> None:
    """List banks with their question counts."""
    rows = banks_overview.bank_rows()
    if not rows:
        click.echo("No banks yet. Import one with: flask --app quizapp banks import PATH")
        return
    for row in rows:
        bank = row.bank
        click.echo(f"{bank.slug:32} v{bank.version:<4} {row.active:5} questions  {bank.title}")


@banks_cli.command("export")
@click.argument("slug")
@click.option(
    "--format", "fmt", type=click.Choice(["yaml", "csv"]), default="yaml", show_default=True
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, writable=True), help="File to write."
)
@needs_schema
def export_bank(slug: str, fmt: str, output: str | None) -> None:
    """Export a bank's active questions as YAML or CSV."""
    bank = load_bank(slug)
    if bank is None:
        raise click.ClickException(
            f"no bank with slug {slug!r} (see: flask --app quizapp banks list)"
        )
    try:
        text = dump_yaml(bank) if fmt == "yaml" else dump_csv(bank)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"Wrote {len(bank.questions)} questions to {output}")
    else:
        click.echo(text, nl=False)


@reviews_cli.command("verify")
@click.argument("email", required=False)
@needs_schema
def verify(email: str | None) -> None:
    """Replay review logs through SM-2 and compare with the stored card states."""
    user_id = None
    if email:
        user = accounts.find_user_by_email(email)
        if user is None:
            raise click.ClickException(f"no user with email {email!r}")
        user_id = user.id
    problems = 0
    for mismatch in verify_reviews(user_id):
        problems += 1
        click.echo(f"mismatch: {mismatch}", err=True)
    reviews = db.session.scalar(
        select(func.count()).select_from(Review).where(Review.user_id == user_id)
        if user_id is not None
        else select(func.count()).select_from(Review)
    )
    if problems:
        click.echo(f"{problems} card(s) disagree with their review log", err=True)
        raise SystemExit(1)
    click.echo(f"OK: {reviews} review(s) replayed; every card state matches its log")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def backup_command(path: str) -> None:
    """Write every table to PATH (JSON lines; gzip if PATH ends in .gz), any database."""
    summary = backup.write_backup(path)
    click.echo(f"Backed up {summary.total} row(s) from {len(summary.rows)} tables to {path}")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace the data of a database that is not empty.")
@with_appcontext
def restore_command(path: str, force: bool) -> None:
    """Load a backup into this (migrated, empty) database in one transaction."""
    try:
        summary = backup.restore_backup(path, force=force)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Restored {summary.total} row(s) into {len(summary.rows)} tables from {path}")


def register(app: Flask) -> None:
    """Register the command groups with the app."""
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(users_cli)
    app.cli.add_command(banks_cli)
    app.cli.add_command(reviews_cli)
    register_jobs_cli(app)
