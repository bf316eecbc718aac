"""Packaging: the top-level templates/ and migrations/ ship inside the quizapp package.

They stay where they are in the checkout; in the wheel they become quizapp/templates and
quizapp/migrations, where the app factory looks first (quizapp.resource_dir). Everything else
about the package, including which files of these folders ship, is in pyproject.toml.
"""

from setuptools import find_namespace_packages, setup

# Folders of the checkout installed as data folders inside the quizapp package.
DATA_FOLDERS = {"quizapp.templates": "templates", "quizapp.migrations": "migrations"}
# Data folders are packages to setuptools too (listed, so it does not warn); caches are not.
SKIP = ["*__pycache__"]


def packages() -> list[str]:
    """quizapp with its subpackages and data folders, and the mapped folders with theirs."""
    found = find_namespace_packages(include=["quizapp", "quizapp.*"], exclude=SKIP)
    for package, folder in DATA_FOLDERS.items():
        subfolders = find_namespace_packages(folder, exclude=SKIP)
        found += [package] + [f"{package}.{sub}" for sub in subfolders]
    return found


setup(packages=packages(), package_dir=DATA_FOLDERS)
