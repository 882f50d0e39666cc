"""Excel templates of the registry's schemas, and the CSV export of a filled template.

Built on ``tableschema-to-template`` (the package the project card names), which
writes an xlsx with xlsxwriter. What we keep, what we replace, and why:

Kept from tableschema-to-template
  - the workbook skeleton: the data-entry sheet (named « Données » through its
    ``sheet_name`` option), header row, frozen first row, one comment per header;
  - one list sheet per enumerated field and the list validation that points at a
    *range* of that sheet (so an enum has no 255-character limit);
  - the whole-number / decimal range validations of integer and number fields
    (with their bounds; years go through it as integers 1000–9999);
  - its validation ranges: the whole column below the header (rows 2 to 1048576).

Cleaned before calling it (it crashes otherwise)
  - it reads ``description`` unconditionally: every field gets a placeholder;
  - it joins enum values as text: values are passed as strings (an integer enum with
    fewer than six values crashed);
  - it builds sheet names from field names: names with ``[ ] : * ? / \\``, longer than
    31 characters or colliding after truncation are invalid. Fields are passed as
    ``c1``, ``c2``... and the real names are written afterwards;
  - only numeric bounds are passed, so its JSON-Schema check of the descriptor passes
    whatever else the schema holds.

Replaced or added with openpyxl (it cannot do these)
  - real field names in the header; required columns filled orange, others blue;
  - comments in French: title, description, type, constraints, example;
  - every validation's messages in French (input message and error alert, within
    Excel's 32/255-character limits); the list sheets renamed ``liste_<column>``,
    typed (integers stay numbers, codes stay text) and hidden;
  - checks it ignores: dates and date-times (date validation), times, text lengths
    (minLength/maxLength, the exact length a code pattern implies — 8 for an UAI — and
    at least one character when required), booleans as a dropdown of the schema's
    true/false spellings; a required column is marked (orange header, « OBLIGATOIRE »
    in its comment and input message) and an empty required cell of a filled row turns
    red (conditional format). « Ignore blank » stays ticked on purpose: unticked, it
    stops nobody from leaving a cell empty, yet « Mark invalid data » then circles every
    empty cell of the unused rows and hides the real errors (see ``_validation``);
  - a person count under statistical secrecy (``x-esr.personCount`` with a schema
    ``secretThreshold``) gets a custom-formula check: 0, or at least the threshold;
  - business rules (``templates/rules.py``): a column's own check is turned into a
    formula and joined, in its one custom validation, with each rule a formula can test
    (comparisons, sums, one-of-required, SIRET/SIREN agreement, conditions, secrecy status
    and rate threshold) while Excel's 255 characters allow; a condition on a column with a
    dropdown makes that dropdown depend on the other column (``IF`` choosing between
    named ranges of the hidden list sheet, read by Excel and LibreOffice); every
    testable rule also keeps a yellow highlight for pasted rows, and the Notice says,
    rule by rule, whether the template refuses it, only highlights it, or leaves it to
    ``export``;
  - code-list columns (``x-esr.codeList``) without an enum get the shipped
    référentiel's codes as their dropdown (labels beside them on the hidden sheet),
    except a partial extract (``"partiel": true``), which would refuse valid codes;
  - column formats: every text column (codes included) formatted ``@`` so leading
    zeros survive; dates ``yyyy-mm-dd``; integers and years ``0``;
  - the « Notice » and « Exemple » sheets; document properties marking the workbook
    as ours (schema name and version), read back by ``export``;
  - determinism: fixed document dates and zip timestamps (it only fixed the creation
    date), so the same schema gives a byte-identical file.

What a spreadsheet cannot enforce (stated in the notice): a cell never typed into is
never validated, so a required cell left empty is only highlighted; pasted values
bypass validation; regular-expression patterns and code check letters are not
expressible. ``export`` validates the whole file before writing the CSV, with the
registry's validator (``esr_schemas.validation``, strict: a count under the secrecy
threshold blocks the export like an error); it reads the workbook with
python-calamine (openpyxl as a fallback, and for the document properties).
"""

from typing import Any

from .source import SourceError, TemplateSource, resolve
from .writer import header_csv, version_templates, write_templates

_LAZY = {"DATA_SHEET", "EXAMPLE_SHEET", "NOTICE_SHEET", "build_workbook"}


def __getattr__(name: str) -> Any:
    """openpyxl and xlsxwriter load on first use, not with every ``esr-schemas`` command."""
    if name in _LAZY:
        from . import workbook

        return getattr(workbook, name)
    raise AttributeError(name)


__all__ = [
    "DATA_SHEET",
    "EXAMPLE_SHEET",
    "NOTICE_SHEET",
    "SourceError",
    "TemplateSource",
    "build_workbook",
    "header_csv",
    "resolve",
    "version_templates",
    "write_templates",
]
