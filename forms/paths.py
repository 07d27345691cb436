"""Where an officer's data lives: the platform's user data folder, unless --data-dir or
$LABOUR_SURVEY_DATA says otherwise; one folder (and one SQLite file) per profile."""

from __future__ import annotations

import os
import re
from pathlib import Path

import platformdirs

APP_NAME = "labour-survey"
DB_NAME = "households.sqlite"
PROFILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")


def data_dir(override: str | Path | None = None) -> Path:
    if override:
        return Path(override).expanduser()
    env = os.environ.get("LABOUR_SURVEY_DATA")
    if env:
        return Path(env).expanduser()
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def profile_dir(profile: str = "default", override: str | Path | None = None) -> Path:
    if not PROFILE_NAME.match(profile):
        raise ValueError(f"profile name {profile!r}: use letters, digits, '-', '_' or '.' (at most 64)")
    return data_dir(override) / "profiles" / profile


def store_path(profile: str = "default", override: str | Path | None = None) -> Path:
    return profile_dir(profile, override) / DB_NAME
