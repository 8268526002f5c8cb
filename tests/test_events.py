from pathlib import Path

from cuecraft.model.events import BOS, REST_BAR, STEPS_PER_BEAT, Note, decode, encode, read_piece


def test_rest_bars_keep_the_bar_position() -> None:
    notes = [Note(4.0, 1.0, 60), Note(4.0, 1.0, 64), Note(5.5, 0.5, 62), Note(12.0, 2.0, 55)]
    tokens = encode(notes, 4)
    assert tokens[0] == BOS
    assert tokens.count(REST_BAR) == 2  # bar 0 before the first note, bar 2 between the notes
    assert decode(tokens, 4) == notes


def test_round_trip_on_a_real_piece(vgmidi_labelled: Path) -> None:
    piece = read_piece(sorted(vgmidi_labelled.glob("*.mid"))[0])
    tokens = encode(piece.notes, piece.beats_per_bar)
    decoded = decode(tokens, piece.beats_per_bar)
    quantized = {(round(n.onset * STEPS_PER_BEAT), n.pitch) for n in piece.notes}
    assert {(round(n.onset * STEPS_PER_BEAT), n.pitch) for n in decoded} <= quantized
    # chords above MAX_CHORD_NOTES lose their lowest notes; everything else survives
    assert len(decoded) >= 0.95 * len(quantized)


def test_transposition_moves_every_pitch() -> None:
    notes = [Note(0.0, 1.0, 60), Note(1.0, 1.0, 67)]
    assert [n.pitch for n in decode(encode(notes, 4, transpose=-2), 4, transpose=5)] == [63, 70]
