"""The domain core of labour-survey: questionnaire definitions, the form engine and the
local store. Imports no Qt, and nothing from `sync` or `desktop`."""

__version__ = "0.1.0"
