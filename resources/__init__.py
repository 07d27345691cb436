"""Data files shipped with the program: code lists, fonts, translations, icons."""

from importlib.resources import files
from pathlib import Path


def path(*parts: str) -> Path:
    """Filesystem path of a shipped resource, e.g. path("code_lists", "catalog.yaml")."""
    return Path(str(files(__name__).joinpath(*parts)))
