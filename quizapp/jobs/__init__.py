"""Background jobs (daily reminders, nightly maintenance) and the scheduler process.

Nothing here starts a scheduler: only ``flask --app quizapp scheduler run`` does, in its own
process. Every run claims its period in ``job_runs`` first, so two schedulers started by
mistake (or a scheduler and ``jobs run``) still do each period's work once.
"""
