"""Regenerate the single initial migration from the models (only while nothing is deployed).

Run: .venv/bin/python tools/regen_initial_migration.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from infra import migrate
from infra.settings import Settings

VERSIONS = Path(__file__).resolve().parents[1] / "infra" / "migrations" / "versions"

for old in VERSIONS.glob("*.py"):
    old.unlink()
with tempfile.TemporaryDirectory() as tmp:
    settings = Settings(var_dir=Path(tmp), database_url=f"sqlite:///{tmp}/m.db")
    migrate.revision(settings, "initial schema")
(generated,) = VERSIONS.glob("*.py")
text = generated.read_text()
rev = text.split("revision = '", 1)[1].split("'", 1)[0]
text = text.replace(f"revision = '{rev}'", "revision = '0001'").replace(
    f"Revision ID: {rev}", "Revision ID: 0001"
)
(VERSIONS / "0001_initial_schema.py").write_text(text)
generated.unlink()
print("regenerated", VERSIONS / "0001_initial_schema.py")
