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
