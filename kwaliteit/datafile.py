"""Reading the YAML data files the application ships (framework, default questionnaires)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml


@lru_cache(maxsize=32)
def _load(path: str, _mtime_ns: int):
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def load_yaml(path: Path):
    """Parsed YAML, parsed once per file version: the loaders run at every start (and test).
    Callers must not change the result."""
    return _load(str(path), path.stat().st_mtime_ns)
