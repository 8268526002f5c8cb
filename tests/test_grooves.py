"""The rhythm section: drum grooves and bass, accompaniment and timpani figures read from soundtrack
parts, learned with the bars played after them, played by the ensembles."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pretty_midi
import pytest
from typer.testing import CliRunner

from cuecraft.cli import app
from cuecraft.compose.orchestration import orchestrate
from cuecraft.compose.styles import ENSEMBLES
from cuecraft.compose.figures import THIRDS_AND_FIFTHS, chord_tone
from cuecraft.corpus.figures import accompaniment_part, bass_part, timpani_part
from cuecraft.corpus.chords import Chord, chord_at, label_chords
from cuecraft.corpus.drums import DRUM_CLASSES, DrumPart, drum_part, hits
from cuecraft.model.events import Note
from cuecraft.model.grooves import GrooveModel
from cuecraft.model.phrase_patterns import PhrasePatterns
from cuecraft.model.training_set import is_held_out_game

KICK, SNARE, HAT, LOW_TOM = (list(DRUM_CLASSES).index(name) for name in ("kick", "snare", "closed hat", "low tom"))


def steps(*on: int) -> int:
    return sum(1 << s for s in on)


def backbeat_song(bars: int = 8, tempo: float = 120.0) -> pretty_midi.PrettyMIDI:
    """Kick on 1 and 3, snare on 2 and 4, closed hat on the eighths; every fourth bar ends on a low-tom
    fill in sixteenths instead of the fourth beat's snare and hats; a conga (not a kit class) throughout."""
    midi = pretty_midi.PrettyMIDI(initial_tempo=tempo)
    drums = pretty_midi.Instrument(0, is_drum=True)
    beat = 60.0 / tempo
    for bar in range(bars):
        fill = bar % 4 == 3
        for step in range(16):
            t = (bar * 16 + step) * beat / 4
            hit = lambda pitch, velocity: drums.notes.append(pretty_midi.Note(velocity, pitch, t, t + beat / 8))  # noqa: E731
            if step in (0, 8):
                hit(36, 110)
            if step == 4 or (step == 12 and not fill):
                hit(38, 100)
            if step % 2 == 0 and not (fill and step >= 12):
                hit(42, 70)
            if fill and step >= 12:
                hit(45, 100)
            hit(63, 60)
    midi.instruments.append(drums)
    midi.instruments += band(bars, tempo)
    return midi


PROGRESSION = (Chord(0, "maj"), Chord(9, "min"), Chord(5, "maj"), Chord(7, "maj"))  # a bar each


def band(bars: int, tempo: float) -> list[pretty_midi.Instrument]:
    """A flute's tune, a piano holding the PROGRESSION's triads from middle C up, a synth bass bouncing
    root-octave in eighths and timpani striking the root on beats 1 and 3 (the fifth below on 3)."""
    flute, piano, bass = pretty_midi.Instrument(73), pretty_midi.Instrument(0), pretty_midi.Instrument(38)
    timpani = pretty_midi.Instrument(47)
    bar_s = 4 * 60.0 / tempo
    for bar in range(bars):
        chord = PROGRESSION[bar % 4]
        flute.notes.append(pretty_midi.Note(80, 84 + chord.root % 5, bar * bar_s, (bar + 1) * bar_s))
        piano.notes += [pretty_midi.Note(70, 60 + pc, bar * bar_s, (bar + 1) * bar_s) for pc in sorted(chord.pitch_classes)]
        for eighth in range(8):
            t = bar * bar_s + eighth * bar_s / 8
            bass.notes.append(pretty_midi.Note(90, 36 + chord.root + 12 * (eighth % 2), t, t + bar_s / 8))
        root = 43 + (chord.root - 43) % 12
        timpani.notes += [pretty_midi.Note(100, root, bar * bar_s, bar * bar_s + bar_s / 4),
                          pretty_midi.Note(90, root - 5, bar * bar_s + bar_s / 2, bar * bar_s + 3 * bar_s / 4)]  # fmt: skip
    return [flute, piano, bass, timpani]


def test_a_bass_line_is_read_as_figures_above_its_chords_roots() -> None:
    part = bass_part(backbeat_song())
    bounce = tuple((step, 2, 12 * (step // 2 % 2)) for step in range(0, 16, 2))
    assert part is not None and part.steps == 16 and part.bars == [bounce] * 8  # the same figure over C, Am, F and G
    assert chord_tone(4, "min") == 3 and chord_tone(14, "maj") == 12 and chord_tone(10, "maj") == 12 and chord_tone(10, "7") == 10


def test_an_accompaniment_is_read_as_its_chords_above_their_roots() -> None:
    """The piano (not the flute's tune above it, nor the bass) holds C, then A minor in first inversion."""
    part = accompaniment_part(backbeat_song())
    assert part is not None and len(part.bars) == 8
    assert part.bars[0] == ((0, 16, 0), (0, 16, 4), (0, 16, 7)) and part.bars[1] == ((0, 16, 3), (0, 16, 7), (0, 16, 12))
    timpani = timpani_part(backbeat_song())
    assert timpani is not None and set(timpani.bars) == {((0, 4, 12), (8, 4, 7))}  # the root, then the fifth below it


def test_a_drum_part_is_read_as_bar_patterns_of_kit_classes() -> None:
    part = drum_part(backbeat_song())
    assert part is not None and part.steps == 16 and len(part.bars) == 8 and abs(part.tempo - 120) < 0.01
    groove, fill = part.bars[0], part.bars[3]
    assert groove[KICK] == steps(0, 8) and groove[SNARE] == steps(4, 12) and groove[HAT] == steps(*range(0, 16, 2))
    assert fill[SNARE] == steps(4) and fill[LOW_TOM] == steps(12, 13, 14, 15) and fill[HAT] == steps(0, 2, 4, 6, 8, 10)
    assert hits(groove) == 12 and part.bars[1] == groove
    assert part.velocity_offsets[KICK] > part.velocity_offsets[SNARE] > part.velocity_offsets[HAT]  # its accents
    waltz = backbeat_song()
    waltz.time_signature_changes = [pretty_midi.TimeSignature(5, 4, 0)]
    assert drum_part(waltz) is None  # a meter other than 3/4 or 4/4


def kick_part(strokes: int) -> DrumPart:
    """Eight bars of a kick struck on the first `strokes` sixteenths."""
    bar = tuple(steps(*range(strokes)) if c == KICK else 0 for c in range(len(DRUM_CLASSES)))
    return DrumPart([bar] * 8, 16, 120.0, (0.0,) * len(DRUM_CLASSES))


def test_grooves_are_learned_with_the_bars_that_follow_them_and_chosen_by_intensity() -> None:
    busy = drum_part(backbeat_song())
    model = PhrasePatterns.fit([busy] * 3 + [kick_part(n) for n in range(1, 12) for _ in range(3)], hits)
    assert sorted(o.density for o in model.openings[16]) == list(range(1, 13))
    backbeat = next(o for o in model.openings[16] if o.pattern == busy.bars[0])
    assert backbeat.count == 6  # two phrases in each of three parts
    played = [{model.bar_at(backbeat, place, np.random.default_rng(seed)) for seed in range(5)} for place in range(4)]
    assert played == [{busy.bars[0]}, {busy.bars[0]}, {busy.bars[0]}, {busy.bars[3]}]  # the groove thrice, then its fill
    plain = next(o for o in model.openings[16] if o.pattern != busy.bars[0])
    assert {model.bar_at(plain, 3, np.random.default_rng(seed)) for seed in range(5)} == {plain.pattern}  # no fill: itself
    for seed in range(10):
        rng = np.random.default_rng(seed)
        assert hits(model.choose(16, 0.95, 120.0, rng).pattern) >= 8 and hits(model.choose(16, 0.05, 120.0, rng).pattern) <= 5
    assert len(PhrasePatterns.fit([busy, busy], hits).openings.get(16, [])) == 0  # two parts: one file's habit, not kept


def test_kits_play_learned_grooves_denser_when_intense_in_periods_that_repeat() -> None:
    """The shipped grooves (learned from VGMusic): a cue's eight-bar periods are played alike (two
    phrases opening on one groove), and a more intense cue draws denser grooves."""
    material = [Note(beat, 1, 60, 80) for beat in range(64)]

    def drum_bars(intensity: float, seed: int) -> list[list[tuple[float, int]]]:
        parts = orchestrate(material, ENSEMBLES["electronic"], intensity, bars=16, beats_per_bar=4, final_beat=64, velocity=90,
                            tempo=140.0, seed=seed)  # fmt: skip
        drums = [n for p in parts if p.part.is_drum for n in p.notes if n.onset < 64]
        return [sorted((n.onset - 4 * bar, n.pitch) for n in drums if 4 * bar <= n.onset < 4 * bar + 4) for bar in range(16)]

    density = {}
    for intensity in (0.3, 0.95):
        per_bar = []
        for seed in range(8):
            bars = drum_bars(intensity, seed)
            assert bars[0] and bars[0] == bars[4] and bars[:8] == bars[8:], (intensity, seed)
            per_bar.append(np.mean([len(b) for b in bars]))
        density[intensity] = float(np.mean(per_bar))
    assert density[0.95] > 1.5 * density[0.3], density
    assert drum_bars(0.6, 4) == drum_bars(0.6, 4)  # a cue's seed draws the same groove again


def test_train_grooves_reads_the_training_games_and_passes_over_a_corrupt_file(tmp_path: Path) -> None:
    root = tmp_path / "vgmusic" / "midi"
    games = [name for name in (f"game{i}" for i in range(40)) if not is_held_out_game(name)][:3]
    for game in games:
        (root / game).mkdir(parents=True)
        backbeat_song().write(str(root / game / "theme.mid"))
    (root / games[0] / "broken.mid").write_bytes(b"MThd not really a midi file")
    out = tmp_path / "grooves.json"
    result = CliRunner().invoke(app, ["train-grooves", "--data", str(tmp_path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    model = GrooveModel.load(out)
    assert model.drums.parts == model.bass.parts == model.accompaniment.parts == model.timpani.parts == 3
    assert [o.pattern for o in model.drums.openings[16]] == [drum_part(backbeat_song()).bars[0]]
    assert [o.pattern for o in model.bass.openings[16]] == [bass_part(backbeat_song()).bars[0]]
    assert [o.pattern for o in model.accompaniment.openings[16]] == [accompaniment_part(backbeat_song()).bars[0]]
    assert [o.pattern for o in model.timpani.openings[16]] == [timpani_part(backbeat_song()).bars[0]]
    assert model.velocity_offsets[KICK] > model.velocity_offsets[HAT]


@pytest.mark.parametrize(("style", "part_name", "calm"), [("electronic", "synth bass", 0.3), ("action-percussion", "strings", 0.3),
                                                         ("orchestral", "timpani", 0.7)])  # fmt: skip
def test_figure_parts_play_learned_figures_on_the_chords_tones(style: str, part_name: str, calm: float) -> None:
    """The bass figure (electronic synth bass), the ostinato (action strings) and the timpani (orchestral,
    entering at 0.65), shipped figures learned from VGMusic: every note a tone of the chord under it or
    a passing step the bar's music sounds,
    busier figures for a more intense cue, the short score's final chord at the end."""
    chords = [Chord(0, "maj"), Chord(9, "min"), Chord(5, "maj"), Chord(7, "7")] * 2
    material = [Note(2 * i, 2, 36 + c.root, 80) for i, c in enumerate(chords)]
    material += [Note(2 * i, 2, 60 + pc, 80) for i, c in enumerate(chords) for pc in sorted(c.pitch_classes - {c.root})]
    material += [Note(16, 4, 36, 80), Note(16, 4, 64, 80), Note(16, 4, 67, 80), Note(16, 4, 72, 80)]
    heard = label_chords(material)
    busy = {}
    for intensity in (calm, 0.95):
        counts = []
        for seed in range(8):
            parts = orchestrate(material, ENSEMBLES[style], intensity, bars=4, beats_per_bar=4, final_beat=16, velocity=90,
                                tempo=140.0, seed=seed)  # fmt: skip
            played = next(p for p in parts if p.part.name == part_name).notes
            figure = [n for n in played if n.onset < 16]
            for n in figure:  # a chord tone, or a step off the triad onto a pitch class the bar sounds
                chord = chord_at(heard, n.onset + 1e-6)
                in_bar = {m.pitch % 12 for m in material if int(m.onset // 4) == int(n.onset // 4)}
                assert n.pitch % 12 in chord.pitch_classes or (
                    (n.pitch - chord.root) % 12 not in THIRDS_AND_FIFTHS and n.pitch % 12 in in_bar), (intensity, seed, n)
            assert {n.pitch % 12 for n in played if n.onset >= 16} <= {0, 4, 7} and any(n.onset >= 16 for n in played)
            counts.append(len(figure))
        busy[intensity] = float(np.mean(counts))
    assert busy[0.95] > 1.5 * busy[calm], busy
