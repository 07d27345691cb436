"""The questionnaire definition as an XLSForm workbook, and a workbook back as a definition.

    write_workbook(definition, "labour_supply-2.xlsx")
    imported = read_workbook("edited.xlsx", version="2")   # WorkbookError names sheet, row, reason
    save_version(imported, "forms/definitions")             # labour_supply-2.yaml; VersionRefused

openpyxl is imported only when a workbook is written or read.
"""

from forms.xlsform.install import Saved, VersionRefused, known_definitions, save_version
from forms.xlsform.raw import definition_to_raw, dump_yaml
from forms.xlsform.reader import ImportedForm, Problem, WorkbookError, read_workbook
from forms.xlsform.writer import write_workbook

__all__ = ["ImportedForm", "Problem", "Saved", "VersionRefused", "WorkbookError", "definition_to_raw", "dump_yaml",
           "known_definitions", "read_workbook", "save_version", "write_workbook"]
