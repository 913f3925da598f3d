"""Autogenerate the next migration: the difference between the models and the schema at head.

Run: .venv/bin/python tools/new_migration.py "what changed"

It upgrades a scratch SQLite database to the current head, lets Alembic compare it with the
models, and writes ``NNNN_<slug>.py`` with the next number. Read the result before committing:
autogenerate cannot see everything (PostgreSQL-only constraints, triggers, data changes), and
such parts are written by hand in their own migration, as 0003_lending_exclusion is.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from infra import migrate
from infra.settings import Settings

VERSIONS = Path(__file__).resolve().parents[1] / "infra" / "migrations" / "versions"


def main(message: str) -> Path:
    numbers = [int(p.name[:4]) for p in VERSIONS.glob("[0-9][0-9][0-9][0-9]_*.py")]
    number = f"{max(numbers, default=0) + 1:04d}"
    before = set(VERSIONS.glob("*.py"))
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(var_dir=Path(tmp), database_url=f"sqlite:///{tmp}/m.db")
        migrate.upgrade(settings)
        migrate.revision(settings, message)
    (generated,) = set(VERSIONS.glob("*.py")) - before
    text = generated.read_text()
    rev = text.split("revision = '", 1)[1].split("'", 1)[0]
    text = text.replace(f"revision = '{rev}'", f"revision = '{number}'").replace(
        f"Revision ID: {rev}", f"Revision ID: {number}"
    )
    slug = re.sub(r"[^a-z0-9]+", "_", message.lower()).strip("_")[:40] or "change"
    target = VERSIONS / f"{number}_{slug}.py"
    target.write_text(text)
    generated.unlink()
    return target


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    print("wrote", main(sys.argv[1]))
