"""The base of the server's refusals, so that each says why in both languages."""

from __future__ import annotations

from forms.i18n import Message


class ServerError(ValueError):
    """A refusal whose `msg` says why in Vietnamese and English.

    A plain str is still accepted, for texts that come from elsewhere untranslated (a
    questionnaire's own problems). str() gives the current language: the laptop's commands and
    the web pages put str(exc) inside their own translated messages."""

    def __init__(self, msg: Message | str):
        self.msg = msg if isinstance(msg, Message) else Message(msg, msg)
        super().__init__(self.msg.en)

    def __str__(self) -> str:
        return self.msg.text()
