"""Printed household forms and commune reports, generated from the questionnaire definition.

PDF only, with reportlab; no Qt. The desktop shows or prints the PDF files made here.

    household_form.render(definition, record, evaluation)   one form (blank when record is None)
    batch.print_village(state, store, village, target)      a village into one PDF, with progress
    report.write_report(state, store, target)               the commune summary
"""

BLANK_MEMBERS = 6  # member rows and labour modules on a blank form
