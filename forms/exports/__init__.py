"""Exports for statisticians: CSV, XLSX, SPSS (.sav) and Stata (.dta), one file per level
(households, members) joined by household_uuid and household_code, and a codebook.

The library takes questionnaire definitions and an iterable of record dicts (as the store and
the provincial server keep them), never a Store, so the laptop and the server share it:

    from forms.exports import export_files
    result = export_files([definition], records, "out/", formats=["csv", "sav"], lang="vi")

pandas, pyreadstat and openpyxl are imported only when a file of their format is written.
"""

from forms.exports.files import CODEBOOK, FORMATS, ExportResult, WrittenFile, export_files
from forms.exports.tables import Table, Tables, Unwritable, build_tables
from forms.exports.variables import ExportError, Plan, Variable, build_plan

__all__ = ["CODEBOOK", "FORMATS", "ExportError", "ExportResult", "Plan", "Table", "Tables", "Unwritable", "Variable",
           "WrittenFile", "build_plan", "build_tables", "export_files"]
