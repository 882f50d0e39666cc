"""Names a template carries and ``export`` reads back: kept apart from the workbook
writer so that reading a filled template does not load openpyxl."""

from __future__ import annotations

DATA_SHEET = "Données"
MARKER_SCHEMA = "esr-schemas:schema"
MARKER_VERSION = "esr-schemas:version"
