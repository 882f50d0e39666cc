"""Check digits and letters of the identifier systems named by ``x-esr.codeSystem``.

One entry point, :func:`check`::

    check("uai", "0751717J")  -> None                      (valid)
    check("uai", "0751717A")  -> ("…lettre de contrôle…", "0751717J")

It returns ``None`` when the value passes (or when the system has no check beyond its
pattern, or is unknown), else ``(message_fr, expected_or_hint)``: a French sentence and
the corrected value when one can be computed (``None`` otherwise). Values that do not
even have the system's shape are left to the field's ``pattern``: ``check`` only judges
the check digit/letter of well-shaped values, so a pattern error is never reported twice.

Systems with a check: ``uai`` (letter = "ABCDEFGHJKLMNPRSTUVWXYZ"[7 digits mod 23]),
``siren`` (Luhn), ``siret`` (Luhn on the 14 digits, and Luhn on the SIREN inside;
La Poste's establishments, SIREN 356000000, use instead a digit sum that is a multiple
of 5, except its head office 35600000000048 which follows Luhn; the INSEE rule that
python-stdnum implements), ``annee_universitaire`` (``AAAA-AAAA``, two consecutive
years), ``orcid`` (ISO 7064 mod 11-2), ``ror`` (ISO 7064 mod 97-10 on the Crockford base 32
value). Other systems (``rnsr``, ``idref``, ``paysage``, ``rncp``, ``rna``,
``code_commune``...) are checked by their pattern only.
"""

from __future__ import annotations

import re

UAI_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
LA_POSTE_SIREN = "356000000"

_UAI = re.compile(r"[0-9]{7}[A-Za-z]")
_DIGITS = re.compile(r"[0-9]+")
_ORCID = re.compile(
    r"(?:https?://orcid\.org/)?([0-9]{4})-?([0-9]{4})-?([0-9]{4})-?([0-9]{3}[0-9Xx])"
)
_ROR = re.compile(r"(?:https?://ror\.org/)?(0[0-9a-hjkmnp-tv-z]{6})([0-9]{2})")

Result = tuple[str, str | None] | None

LA_POSTE_HEAD_OFFICE = "35600000000048"
_ACADEMIC_YEAR = re.compile(r"([0-9]{4})-([0-9]{4})")

SYSTEMS_WITH_CHECK = ("uai", "siren", "siret", "orcid", "ror", "annee_universitaire")


def uai_letter(digits: str) -> str:
    """The check letter of a UAI's 7 digits."""
    return UAI_LETTERS[int(digits) % 23]


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def siret_checksum_valid(digits: str) -> bool:
    """The 14-digit SIRET's own key: Luhn, or La Poste's digit sum (multiple of 5)."""
    if digits.startswith(LA_POSTE_SIREN) and digits != LA_POSTE_HEAD_OFFICE:
        return sum(int(char) for char in digits) % 5 == 0
    return luhn_valid(digits)


def orcid_check_char(base15: str) -> str:
    """ISO 7064 mod 11-2 check character of the first 15 ORCID digits."""
    total = 0
    for char in base15:
        total = (total + int(char)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def ror_checksum(prefix: str) -> str:
    """ISO 7064 mod 97-10 checksum (2 digits) of a ROR's 7-character prefix."""
    number = 0
    for char in prefix.lower():
        number = number * 32 + CROCKFORD.index(char)
    return f"{98 - (number * 100) % 97:02d}"


def check(system: str, value: str) -> Result:
    """``None`` if ``value`` passes ``system``'s check, else ``(message_fr, expected)``."""
    value = value.strip()
    if system == "uai":
        if not _UAI.fullmatch(value):
            return None
        expected = uai_letter(value[:7])
        if value[7].upper() != expected:
            return (
                f"la lettre de contrôle de l'UAI « {value} » devrait être « {expected} »",
                value[:7] + expected,
            )
        return None
    if system in ("siren", "siret"):
        size = 9 if system == "siren" else 14
        compact = value.replace(" ", "")
        if len(compact) != size or not _DIGITS.fullmatch(compact):
            return None
        if system == "siren" and not luhn_valid(compact):
            return (
                f"le SIREN « {value} » a une clé de contrôle (Luhn) fausse : "
                "un chiffre est probablement mal saisi",
                None,
            )
        if system == "siret" and not siret_checksum_valid(compact):
            rule = (
                "la somme de ses chiffres n'est pas un multiple de 5 (règle de La Poste)"
                if compact.startswith(LA_POSTE_SIREN) and compact != LA_POSTE_HEAD_OFFICE
                else "sa clé de contrôle (Luhn) est fausse"
            )
            return (f"le SIRET « {value} » est invalide : {rule}", None)
        if system == "siret" and not luhn_valid(compact[:9]):
            return (
                f"le SIRET « {value} » est invalide : le SIREN qui l'ouvre, « {compact[:9]} », "
                "a une clé de contrôle (Luhn) fausse",
                None,
            )
        return None
    if system == "annee_universitaire":
        match = _ACADEMIC_YEAR.fullmatch(value)
        if not match:
            return None
        first, second = (int(year) for year in match.groups())
        if second != first + 1:
            return (
                f"l'année universitaire « {value} » doit réunir deux années qui se suivent "
                f"(par exemple « {first}-{first + 1} »)",
                f"{first}-{first + 1}",
            )
        return None
    if system == "orcid":
        match = _ORCID.fullmatch(value)
        if not match:
            return None
        digits = "".join(match.groups())
        expected = orcid_check_char(digits[:15])
        if digits[15].upper() != expected:
            fixed = f"{digits[0:4]}-{digits[4:8]}-{digits[8:12]}-{digits[12:15]}{expected}"
            return (
                f"le dernier caractère de l'ORCID « {value} » devrait être « {expected} »",
                fixed,
            )
        return None
    if system == "ror":
        match = _ROR.fullmatch(value)
        if not match:
            return None
        prefix, checksum = match.groups()
        expected = ror_checksum(prefix)
        if checksum != expected:
            return (
                f"les deux derniers chiffres du ROR « {value} » devraient être « {expected} »",
                prefix + expected,
            )
        return None
    return None


def error_type(system: str) -> str:
    """The error code our validator reports for a failed check of ``system``."""
    return {
        "uai": "uai-check-letter",
        "siren": "siren-checksum",
        "siret": "siret-checksum",
        "orcid": "orcid-checksum",
        "ror": "ror-checksum",
        "annee_universitaire": "annee-universitaire-invalide",
    }.get(system, f"{system}-checksum")
