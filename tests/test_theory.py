import pytest

from cuecraft.theory import Key


@pytest.mark.parametrize(
    "text, tonic, mode",
    [("D minor", 2, "minor"), ("Eb major", 3, "major"), ("F# min", 6, "minor"), ("bb minor", 10, "minor"), ("C", 0, "major"), ("B♭ major", 10, "major")],
)
def test_parse_key_names(text: str, tonic: int, mode: str) -> None:
    key = Key.parse(text)
    assert (key.tonic, key.mode) == (tonic, mode)


def test_unparseable_key_names_are_refused() -> None:
    with pytest.raises(ValueError, match="not a key name"):
        Key.parse("H major")


def test_relative_keys_share_a_scale() -> None:
    d_minor = Key.parse("D minor")
    assert d_minor.relative() == Key.parse("F major")
    assert set(d_minor.scale()) == set(d_minor.relative().scale())
    assert d_minor.relative().relative() == d_minor


def test_minor_keys_admit_the_leading_tone() -> None:
    a_minor = Key.parse("A minor")
    assert 8 in a_minor.allowed_pitch_classes()  # G#
    assert 8 not in a_minor.scale()
