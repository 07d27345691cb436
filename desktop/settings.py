"""Settings, typed.

The officer's profile (name, province, commune, villages, language) lives in the profile's own
database, so it travels with the data. What belongs to this computer (the last profile opened,
the window's geometry, where the officer was, the screen lock's minutes) lives in an INI file in the data folder."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from forms.i18n import DEFAULT_LANGUAGE, LANGUAGES
from forms.store import Store

DEFAULT_LOCK_MINUTES = 10.0
_PROFILE_KEYS = {"officer_name": "officer.name", "province": "officer.province", "commune": "officer.commune",
                 "villages": "officer.villages", "language": "ui.language"}


@dataclass(slots=True)
class Profile:
    officer_name: str = ""
    province: str = ""
    commune: str = ""
    villages: list[str] = field(default_factory=list)
    language: str = DEFAULT_LANGUAGE

    @property
    def is_set_up(self) -> bool:
        return bool(self.officer_name and self.province and self.commune)

    @classmethod
    def load(cls, store: Store) -> Profile:
        get = store.get_setting
        try:
            villages = json.loads(get(_PROFILE_KEYS["villages"]) or "[]")
        except ValueError:
            villages = []
        language = get(_PROFILE_KEYS["language"]) or DEFAULT_LANGUAGE
        return cls(officer_name=get(_PROFILE_KEYS["officer_name"]) or "", province=get(_PROFILE_KEYS["province"]) or "",
                   commune=get(_PROFILE_KEYS["commune"]) or "",
                   villages=[str(v) for v in villages if str(v).strip()] if isinstance(villages, list) else [],
                   language=language if language in LANGUAGES else DEFAULT_LANGUAGE)

    def save(self, store: Store) -> None:
        store.set_setting(_PROFILE_KEYS["officer_name"], self.officer_name)
        store.set_setting(_PROFILE_KEYS["province"], self.province)
        store.set_setting(_PROFILE_KEYS["commune"], self.commune)
        store.set_setting(_PROFILE_KEYS["villages"], json.dumps(self.villages, ensure_ascii=False))
        store.set_setting(_PROFILE_KEYS["language"], self.language)


@dataclass(frozen=True, slots=True)
class Place:
    """Where the officer was: a household and a question (roster row by its stable _id)."""

    household: str
    field: str = ""
    row_id: str = ""


class UiSettings:
    """This computer's settings for the program, in `<data folder>/desktop.ini`."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._q = QSettings(str(path), QSettings.Format.IniFormat)

    @property
    def path(self) -> Path:
        return Path(self._q.fileName())

    def _str(self, key: str) -> str:
        value = self._q.value(key, "")
        return value if isinstance(value, str) else ""

    @property
    def last_profile(self) -> str:
        return self._str("last_profile")

    @last_profile.setter
    def last_profile(self, name: str) -> None:
        self._q.setValue("last_profile", name)

    @property
    def language(self) -> str:
        """The language last used on this computer: for what is shown before a profile is open."""
        lang = self._str("language")
        return lang if lang in LANGUAGES else ""

    @language.setter
    def language(self, lang: str) -> None:
        self._q.setValue("language", lang)

    @property
    def lock_minutes(self) -> float:
        """Minutes without keyboard or mouse before the screen locks (0: only on request)."""
        try:
            minutes = float(self._q.value("lock_minutes", DEFAULT_LOCK_MINUTES))
        except (TypeError, ValueError):
            return DEFAULT_LOCK_MINUTES  # a hand-edited file must not switch the lock off
        return minutes if 0 <= minutes <= 24 * 60 else DEFAULT_LOCK_MINUTES

    def geometry(self) -> QByteArray | None:
        value = self._q.value("window/geometry")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_geometry(self, geometry: QByteArray) -> None:
        self._q.setValue("window/geometry", geometry)

    def splitter(self, name: str) -> QByteArray | None:
        value = self._q.value(f"window/{name}")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_splitter(self, name: str, state: QByteArray) -> None:
        self._q.setValue(f"window/{name}", state)

    def place(self, profile: str) -> Place | None:
        household = self._str(f"place/{profile}/household")
        if not household:
            return None
        return Place(household, self._str(f"place/{profile}/field"), self._str(f"place/{profile}/row"))

    def set_place(self, profile: str, place: Place | None) -> None:
        """Remember where the officer is, written to disk at once: a killed program reopens here."""
        if place is None:
            self._q.remove(f"place/{profile}")
        else:
            self._q.setValue(f"place/{profile}/household", place.household)
            self._q.setValue(f"place/{profile}/field", place.field)
            self._q.setValue(f"place/{profile}/row", place.row_id)
        self._q.sync()

    def sync(self) -> None:
        self._q.sync()
