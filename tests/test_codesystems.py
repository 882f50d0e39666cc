from esr_schemas.codesystems import check


def test_uai_letter() -> None:
    assert check("uai", "0751717J") is None
    message, expected = check("uai", "0751717A")  # type: ignore[misc]
    assert expected == "0751717J" and "lettre" in message


def test_luhn_siren_siret() -> None:
    assert check("siren", "552100554") is None
    assert check("siren", "552100555") is not None
    assert check("siret", "35600000000048") is None  # La Poste: exempt


def test_orcid_and_ror() -> None:
    assert check("orcid", "0000-0002-1825-0097") is None
    assert check("orcid", "0000-0002-1825-0098") == (
        "le dernier caractère de l'ORCID « 0000-0002-1825-0098 » devrait être « 7 »",
        "0000-0002-1825-0097",
    )
    for ror in ("02feahw73", "02en5vm52", "02vjkv261"):
        assert check("ror", ror) is None
    assert check("ror", "02feahw74") is not None


def _siret(head: str) -> list[str]:
    """Every 14-digit SIRET starting with ``head`` whose last digit varies (0-9)."""
    return [head + str(digit) for digit in range(10)]


def test_siret_agrees_with_python_stdnum() -> None:
    """La Poste's digit-sum rule, its head office under Luhn, the SIREN inside every
    SIRET: python-stdnum implements INSEE's rule, ours must give the same verdicts."""
    from stdnum.fr import siren as stdnum_siren
    from stdnum.fr import siret as stdnum_siret

    candidates = (
        _siret("3560000000004")  # La Poste head office and its neighbours
        + _siret("3560000000010")
        + _siret("3560000009876")
        + _siret("1300183510001")  # a university (Luhn)
        + _siret("1300183520001")  # SIREN inside with a wrong key
        + _siret("5521005540001")
    )
    disagreements = [
        value
        for value in candidates
        if (check("siret", value) is None) != stdnum_siret.is_valid(value)
    ]
    assert disagreements == []
    assert any(stdnum_siret.is_valid(v) for v in _siret("3560000000010"))
    for value in ("130018351", "130018352", "356000000", "552100554", "000000000"):
        assert (check("siren", value) is None) == stdnum_siren.is_valid(value)


def test_siret_messages_name_the_rule() -> None:
    poste = check("siret", "35600000000101")
    assert poste is not None and "multiple de 5" in poste[0]
    inner = [v for v in _siret("1300183520001") if check("siret", v) is not None]
    luhn_ok = next(v for v in inner if "SIREN qui l'ouvre" in check("siret", v)[0])  # type: ignore[index]
    assert luhn_ok.startswith("130018352")


def test_annee_universitaire_two_consecutive_years() -> None:
    assert check("annee_universitaire", "2024-2025") is None
    assert check("annee_universitaire", "2024-2031") == (
        "l'année universitaire « 2024-2031 » doit réunir deux années qui se suivent "
        "(par exemple « 2024-2025 »)",
        "2024-2025",
    )
    assert check("annee_universitaire", "2025-2024") is not None
    assert check("annee_universitaire", "2024-25") is None  # left to the pattern
