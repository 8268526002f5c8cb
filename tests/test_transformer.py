"""The conditioned transformer: tokens, the model, constrained decoding, training and checkpoints."""

from pathlib import Path

import numpy as np
import pytest
import symusic
import torch
import torch.nn.functional as F

from cuecraft.compose.cue_writer import write_cue, write_piece
from cuecraft.errors import CuecraftError
from cuecraft.model.checkpoint import load_model, save_model
from cuecraft.model.composer import GenerationRequest
from cuecraft.model.dataset import IGNORE, TokenizedPiece, window
from cuecraft.model.decoder import NumpyDecoder
from cuecraft.model.sampling import TransformerComposer, sample_ids
from cuecraft.model.tokenizer import Conditions, CueTokenizer
from cuecraft.model.train import TrainConfig, train
from cuecraft.model.training_set import read_midi_piece, tokenize, vgmidi_group
from cuecraft.model.transformer import CueTransformer, TransformerConfig
from cuecraft.project import Mood, MusicSettings
from cuecraft.theory import Key

TOKENIZER = CueTokenizer()


def tiny_model(seed: int = 0, context: int = 128) -> CueTransformer:
    torch.manual_seed(seed)
    return CueTransformer(TransformerConfig(len(TOKENIZER), context=context, d_model=32, n_layers=2, n_heads=2, d_ff=64, dropout=0.0)).eval()


def test_the_numpy_decoder_gives_the_torch_model_s_logits() -> None:
    model = tiny_model(4, context=64)
    ids = [int(i) for i in np.random.default_rng(1).integers(0, len(TOKENIZER), 60)]
    with torch.inference_mode():
        expected = model(torch.tensor([ids]))[0][0].numpy()
    one_by_one = NumpyDecoder(model)
    for k, token in enumerate(ids):
        assert np.allclose(one_by_one.feed([token]), expected[k], atol=1e-4), k
    batched = NumpyDecoder(model)
    batched.feed(ids[:25])  # a prompt read in one pass, then its continuation
    assert np.allclose(batched.feed(ids[25:]), expected[-1], atol=1e-4)
    batched.reset()
    assert np.allclose(batched.feed(ids[:10]), expected[9], atol=1e-4)
    with pytest.raises(ValueError, match="exceeds the context"):
        batched.feed(ids)


def test_tokenize_detokenize_round_trip_on_real_files(vgmidi_labelled: Path) -> None:
    for path in sorted(vgmidi_labelled.glob("*.mid"))[:5]:
        score = symusic.Score(str(path))
        notes = TOKENIZER.decode_notes(TOKENIZER.encode_score(score))
        tpq = score.ticks_per_quarter
        original = {(round(n.time / tpq * 4), n.pitch) for t in score.tracks if not t.is_drum for n in t.notes if 21 <= n.pitch <= 108}
        decoded = {(round(n.onset * 4), n.pitch) for n in notes}
        # REMI on a 16th grid keeps (almost) every onset and pitch; duplicates on the grid merge
        assert len(decoded & original) >= 0.97 * len(original), path.name


def test_transposition_moves_pitches_and_the_tonic() -> None:
    prefix = TOKENIZER.condition_ids_for(Conditions(Key.parse("D minor"), 90.0))
    body = TOKENIZER.encode_notes([__import__("cuecraft.model.events", fromlist=["Note"]).Note(0, 1, 62)])
    moved = TOKENIZER.transpose(np.array(prefix + body), 3)
    names = [TOKENIZER.names[i] for i in moved]
    assert "Tonic_5" in names and "Pitch_65" in names


def test_kv_cache_gives_the_same_logits() -> None:
    model = tiny_model()
    ids = torch.randint(0, len(TOKENIZER), (1, 50))
    with torch.no_grad():
        full, _ = model(ids)
        first, cache = model(ids[:, :30])
        steps = [first]
        for i in range(30, 50):
            logits, cache = model(ids[:, i : i + 1], cache)
            steps.append(logits)
    assert torch.allclose(full, torch.cat(steps, dim=1), atol=1e-5)


@pytest.mark.parametrize("key, bars", [("D minor", 4), ("A major", 6), ("F# minor", 3)])
def test_constrained_decoding_keeps_key_bars_and_cadence(key: str, bars: int) -> None:
    k = Key.parse(key)
    request = GenerationRequest(k, bars * 4, seed=bars, cadence=True)
    ids = sample_ids(tiny_model(bars), TOKENIZER, request)
    assert ids.count(TOKENIZER.bar) == bars
    notes = TOKENIZER.decode_notes(ids)
    assert notes and max(n.onset for n in notes) < bars * 4
    assert {n.pitch % 12 for n in notes} <= k.allowed_pitch_classes()
    last = {n.pitch % 12 for n in notes if n.onset >= (bars - 1) * 4}
    before = {n.pitch % 12 for n in notes if (bars - 2) * 4 <= n.onset < (bars - 1) * 4}
    assert last and last <= {(k.tonic + i) % 12 for i in k.tonic_triad()}
    assert before and before <= {(k.tonic + i) % 12 for i in (7, 11, 2, 5)}


def test_long_pieces_slide_past_the_context() -> None:
    composer = TransformerComposer(tiny_model(context=48))
    notes = composer.generate(GenerationRequest(Key.parse("C major"), 24, seed=2))
    assert notes and 16 <= max(n.onset for n in notes) < 24


def test_cue_and_piece_writers_use_the_transformer() -> None:
    composer = TransformerComposer(tiny_model(3))
    settings = MusicSettings(key="Bb major", tempo=90, program=48, velocity=70, seed=1)
    cue = write_cue(composer, settings, 12.0, None, Mood(valence=0.5, arousal=-0.5, intensity=0.3))
    assert cue.get_end_time() <= 12.0 and cue.get_tempo_changes()[1].tolist() == pytest.approx([90], rel=1e-5)  # whole µs per beat
    piece = write_piece(composer, settings, 5)
    assert max(n.start for n in piece.instruments[0].notes) < 5 * 4 * 60 / 90


def test_a_tiny_model_overfits_one_piece(vgmidi_labelled: Path) -> None:
    ids = np.array(TOKENIZER.encode_score(symusic.Score(str(sorted(vgmidi_labelled.glob("*.mid"))[0]))))
    piece = TokenizedPiece("one", ids, Conditions(Key.parse("C major"), 100.0), np.flatnonzero(ids == TOKENIZER.bar))
    inputs, targets = window(piece, TOKENIZER, 96, 0, 0)
    x, y = torch.from_numpy(inputs[None]), torch.from_numpy(targets[None])
    torch.manual_seed(0)
    model = CueTransformer(TransformerConfig(len(TOKENIZER), context=96, d_model=64, n_layers=2, n_heads=2, d_ff=128, dropout=0.0))
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    for _ in range(150):
        logits, _ = model(x)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), ignore_index=IGNORE)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.item() < 0.3


@pytest.fixture(scope="module")
def small_set(vgmidi_labelled: Path) -> list[TokenizedPiece]:
    """40 labelled VGMIDI pieces with their keys and labelled chords, tokenized."""
    pieces = [read_midi_piece(p, "vgmidi", vgmidi_group(p.stem)) for p in sorted(vgmidi_labelled.glob("*.mid"))[:40]]
    return tokenize([p for p in pieces if p is not None], TOKENIZER)


def test_training_data_carries_the_chords(small_set: list[TokenizedPiece]) -> None:
    piece = small_set[0]
    names = [TOKENIZER.names[i] for i in piece.ids]
    bars = [i for i, n in enumerate(names) if n == "Bar_None"]
    # most bars open with their chord, and the notes decode unchanged by the chord tokens
    assert sum(names[i + 1].startswith("Chord_") for i in bars[:-1]) >= 0.8 * (len(bars) - 1)
    plain = [i for i in piece.ids if not TOKENIZER.is_chord[i]]
    assert TOKENIZER.decode_notes(list(piece.ids)) == TOKENIZER.decode_notes(plain)


def test_training_resumes_and_keeps_the_best_model(small_set: list[TokenizedPiece], tmp_path: Path) -> None:
    out = tmp_path / "run"
    first = train(TrainConfig.tiny(max_steps=20, eval_every=10), small_set, out)
    assert first.steps == 20 and first.train_pieces + first.validation_pieces <= 40
    # the same config with a higher step limit is a different config: resuming needs the same one
    with pytest.raises(CuecraftError, match="another training config"):
        train(TrainConfig.tiny(max_steps=40, eval_every=10), small_set, out)
    again = train(TrainConfig.tiny(max_steps=20, eval_every=10, max_minutes=9.0), small_set, out)  # a new time budget is the same run
    assert again.steps == 20  # already finished: resumes at step 20 and stops at once
    model, info = load_model(out / "model.pt")
    assert info["validation_loss"] == pytest.approx(first.best_validation_loss)
    assert (out / "loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_damaged_checkpoints_are_refused(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pt"
    broken.write_bytes(b"not a checkpoint at all")
    with pytest.raises(CuecraftError, match="damaged transformer checkpoint"):
        load_model(broken)
    good = tmp_path / "good.pt"
    save_model(good, tiny_model(), {"note": "test"})
    good.write_bytes(good.read_bytes()[:-100])  # cut short
    with pytest.raises(CuecraftError, match="damaged transformer checkpoint"):
        load_model(good)


def test_generate_command_writes_the_requested_piece(tmp_path: Path) -> None:
    import pretty_midi

    from tests.test_cli import cuecraft, error_line

    checkpoint = tmp_path / "tiny.pt"
    save_model(checkpoint, tiny_model(5), {})
    out = tmp_path / "cue.mid"
    result = cuecraft("generate", "--valence", "-0.5", "--arousal", "0.4", "--key", "E minor", "--tempo", "84",
                      "--bars", "6", "--model-path", str(checkpoint), "-o", str(out))  # fmt: skip
    assert result.returncode == 0, result.stderr
    midi = pretty_midi.PrettyMIDI(str(out))
    assert midi.get_tempo_changes()[1].tolist() == pytest.approx([84], abs=0.01)
    notes = midi.instruments[0].notes
    bar = 4 * 60 / 84
    assert max(n.start for n in notes) < 6 * bar and max(n.start for n in notes) >= 5 * bar
    in_key = sum(n.pitch % 12 in Key.parse("E minor").allowed_pitch_classes() for n in notes)
    assert in_key >= 0.8 * len(notes)  # the rest are tones of the plan's chromatic chords
    bad = cuecraft("generate", "--key", "H major", "--model-path", str(checkpoint), "-o", str(tmp_path / "x.mid"))
    assert bad.returncode == 2 and "not a key name" in error_line(bad)
    assert not (tmp_path / "x.mid").exists()


def test_cues_are_composed_from_decoder_weights_without_torch(transformer: TransformerComposer, tmp_path: Path) -> None:
    """The shipped checkpoint's decoder weights, exported once into the take cache as .npz by a short-lived
    process: a process that composes from them (the scoring process, a cue worker) writes the very notes
    the checkpoint's composer writes, and never imports torch."""
    import json
    import subprocess
    import sys

    from cuecraft.cue_tasks import sampling_model
    from cuecraft.model.loading import SHIPPED_TRANSFORMER
    from cuecraft.render.take_cache import TakeCache

    path = sampling_model("transformer", SHIPPED_TRANSFORMER, "shipped", TakeCache(tmp_path / "cache"))
    assert path == tmp_path / "cache" / "decoder-shipped.npz" and path.stat().st_size < 20 * 2**20
    request = GenerationRequest(Key.parse("F minor"), 32, tempo=96, valence=-0.4, arousal=0.3, seed=11, velocity=80)
    expected = [(n.onset, n.duration, n.pitch, n.velocity) for n in transformer.generate(request)]
    script = f"""
import json, sys
from cuecraft.cue_tasks import composer_from
from cuecraft.model.composer import GenerationRequest
from cuecraft.theory import Key
notes = composer_from("transformer", {str(path)!r}).generate(GenerationRequest(Key.parse("F minor"), 32, tempo=96, valence=-0.4,
                                                                              arousal=0.3, seed=11, velocity=80))
print(json.dumps({{"torch": "torch" in sys.modules, "notes": [(n.onset, n.duration, n.pitch, n.velocity) for n in notes]}}))
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    worker = json.loads(result.stdout.strip().splitlines()[-1])
    assert worker["torch"] is False
    assert [tuple(n) for n in worker["notes"]] == expected and len(expected) > 24  # eight bars, not a handful of notes


def test_a_damaged_checkpoint_is_named_across_the_export_process(tmp_path: Path) -> None:
    from cuecraft.cue_tasks import sampling_model
    from cuecraft.render.take_cache import TakeCache

    (tmp_path / "cut.pt").write_bytes(b"PK\x03\x04 not a whole checkpoint")
    with pytest.raises(CuecraftError, match="cut.pt: damaged transformer checkpoint"):
        sampling_model("transformer", tmp_path / "cut.pt", "cut", TakeCache(tmp_path / "cache"))
    assert not (tmp_path / "cache").exists()  # nothing written for a model that could not be read


def test_a_restated_bar_may_not_crowd_one_pitch_class() -> None:
    from cuecraft.model.sampling import PitchBalance

    balance = PitchBalance(TOKENIZER)
    for pitch in [60, 62, 64, 65, 67, 69, 71, 72] * 3:  # 24 notes, C on 6 of them (25 %)
        balance.add(int(TOKENIZER.pitch_ids[pitch]))
    pedal = [int(TOKENIZER.pitch_ids[36])] * 8  # a bar of eight low Cs: 14 of 32 notes would be C
    tune = [int(TOKENIZER.pitch_ids[p]) for p in (62, 64, 65, 67, 69, 71, 60, TOKENIZER.bar)]
    assert not balance.keeps_balance(pedal)
    assert balance.keeps_balance(tune)


def test_each_note_keeps_its_instrument_family_through_the_tokens() -> None:
    from cuecraft.model.events import Note

    notes = [Note(0, 2, 38, 80, 33), Note(0, 1, 62, 80, 48), Note(0, 1, 66, 80, 49), Note(1, 1, 74, 80, 73), Note(2, 1, 69, 80, 0)]
    ids = TOKENIZER.encode_notes(notes)
    names = [TOKENIZER.names[i] for i in ids]
    assert names[names.index("Pitch_38") - 1] == "Program_32"  # each pitch behind its family's first program
    decoded = {(n.onset, n.pitch, n.program) for n in TOKENIZER.decode_notes(ids)}
    assert decoded == {(0, 38, 32), (0, 62, 48), (0, 66, 48), (1, 74, 72), (2, 69, 0)}


def test_sampling_writes_only_for_the_requested_families() -> None:
    families = ("bass", "brass", "strings")
    request = GenerationRequest(Key.parse("E minor"), 16, seed=5, families=families)
    ids = sample_ids(tiny_model(5), TOKENIZER, request)
    programs = {TOKENIZER.program_of[i] for i in ids if i in TOKENIZER.program_of}
    assert programs and programs <= {32, 56, 40}  # an untrained model picks freely among the families asked for
    notes = TOKENIZER.decode_notes(ids)
    assert {n.program for n in notes} == programs and all(n.pitch % 12 in Key.parse("E minor").allowed_pitch_classes() for n in notes)


def test_a_family_asked_for_is_brought_in_after_resting() -> None:
    from cuecraft.model.sampling import FAMILY_ENTRY_BONUS, FAMILY_REST_BARS, BarConstraint

    constraint = BarConstraint(TOKENIZER, Key.parse("C major"), 16, cadence=False, families=("brass", "strings"))
    brass, strings = (TOKENIZER.vocab[f"Program_{p}"] for p in (56, 40))
    note = [TOKENIZER.vocab["Position_0"], strings, int(TOKENIZER.pitch_ids[64]), TOKENIZER.vocab["Velocity_79"], TOKENIZER.vocab["Duration_1.0.4"]]
    for _ in range(FAMILY_REST_BARS - 1):
        for token in [TOKENIZER.bar, *note]:
            constraint.update(token)
    constraint.update(TOKENIZER.bar)
    constraint.update(note[0])
    assert constraint.entry_bias() is None  # in bar 4 the brass have rested three bars: not yet
    for token in note[1:] + [TOKENIZER.bar, note[0]]:
        constraint.update(token)
    bias = constraint.entry_bias()
    assert bias is not None and bias[brass] == FAMILY_ENTRY_BONUS and bias[strings] == 0
    for token in [brass, *note[2:], TOKENIZER.bar, note[0]]:
        constraint.update(token)
    assert constraint.entry_bias() is None  # the brass came in


def test_a_chords_third_is_brought_in_until_it_sounds() -> None:
    """Over a planned A minor chord in C major the upper Cs are offered (the tone that makes it minor), not
    the bass's, until a C is struck; a sus4 has no third to bring in."""
    from cuecraft.corpus.chords import Chord
    from cuecraft.model.sampling import THIRD_BONUS, BarConstraint

    key = Key.parse("C major")
    constraint = BarConstraint(TOKENIZER, key, 16, cadence=False)
    piano = TOKENIZER.vocab["Program_0"]
    for token in [TOKENIZER.bar, TOKENIZER.chord_id(Chord(9, "min"), key.tonic), TOKENIZER.vocab["Position_0"], piano]:
        constraint.update(token)
    bias = constraint.third_bias()
    assert bias is not None and bias[TOKENIZER.pitch_ids[72]] == THIRD_BONUS and bias[TOKENIZER.pitch_ids[69]] == 0
    assert bias[TOKENIZER.pitch_ids[48]] == 0  # the bass keeps its root
    for token in [int(TOKENIZER.pitch_ids[45]), TOKENIZER.vocab["Velocity_79"], TOKENIZER.vocab["Duration_1.0.4"], piano]:
        constraint.update(token)
    assert constraint.third_bias() is not None  # an A in the bass: the third is still due
    for token in [int(TOKENIZER.pitch_ids[60]), TOKENIZER.vocab["Velocity_79"], TOKENIZER.vocab["Duration_1.0.4"], piano]:
        constraint.update(token)
    assert constraint.third_bias() is None
    constraint.update(TOKENIZER.chord_id(Chord(7, "sus4"), key.tonic))
    assert Chord(7, "sus4").third is None and constraint.third_bias() is None
    constraint.update(TOKENIZER.chord_id(Chord(7, "7"), key.tonic))
    assert Chord(7, "7").third == 11 and constraint.third_bias()[TOKENIZER.pitch_ids[71]] == THIRD_BONUS


def test_a_token_the_grammar_forces_costs_no_model_step() -> None:
    from cuecraft.model import decoder

    feeds = []
    real_feed = decoder.NumpyDecoder.feed
    request = GenerationRequest(Key.parse("D minor"), 16, seed=2, families=("piano",))
    try:
        decoder.NumpyDecoder.feed = lambda self, ids: feeds.append(len(ids)) or real_feed(self, ids)
        ids = sample_ids(tiny_model(2), TOKENIZER, request)
    finally:
        decoder.NumpyDecoder.feed = real_feed
    forced = sum(a in TOKENIZER.position_of and b in TOKENIZER.program_of for a, b in zip(ids, ids[1:]))
    assert forced and len(feeds) <= len(ids) + 1 - forced  # a position's piano Program is the only choice: no step chose it


def test_a_piece_of_bass_notes_brings_in_a_line_above_them() -> None:
    from cuecraft.model.sampling import BALANCE_AFTER, LINE_BONUS, PitchBalance

    balance = PitchBalance(TOKENIZER)
    for pitch in [36, 38, 40, 41, 43, 45, 46, 47] * (BALANCE_AFTER // 8):  # a bass line, nothing at or above middle C
        balance.add(int(TOKENIZER.pitch_ids[pitch]))
    bias = balance.bias()
    assert bias is not None and bias[TOKENIZER.pitch_ids[67]] == LINE_BONUS and bias[TOKENIZER.pitch_ids[55]] == 0
    for pitch in [67, 72, 74, 76, 79, 72]:  # 6 of 22 notes above: over a quarter
        balance.add(int(TOKENIZER.pitch_ids[pitch]))
    assert balance.bias() is None


def test_a_piece_s_final_tonic_rings_out(transformer: TransformerComposer) -> None:
    """An excited brief's model would pulse on through its last bar; the final chord is struck and held
    to the end instead, over the tonic in the bass."""
    from cuecraft.compose.cue_plan import piece_brief

    settings, mood = piece_brief("G minor", 100.0, -0.8, 0.8, "piano", 475)
    notes = [n for i in write_piece(transformer, settings, 8, mood).instruments for n in i.notes]
    beat = 60 / 100.0
    final = [n for n in notes if n.start >= 7 * 4 * beat - 0.05]
    assert final and all(n.start < 7 * 4 * beat + 0.05 for n in final)  # struck together on the last downbeat
    assert all(n.end == pytest.approx(8 * 4 * beat, abs=0.05) for n in final)
    assert min(final, key=lambda n: n.pitch).pitch % 12 == 7  # G in the bass


def test_a_calm_dark_brief_gets_a_line_over_its_bass(transformer: TransformerComposer, monkeypatch: pytest.MonkeyPatch) -> None:
    """A calm, dark brief (C minor, seed 13) the shipped model alone writes as a bare bass pulse,
    every note below middle C; with the register balance a line comes in above it."""
    import cuecraft.model.sampling as sampling
    from cuecraft.compose.cue_plan import piece_brief

    def upper_share() -> float:
        settings, mood = piece_brief("C minor", 100.0, -0.8, -0.8, "piano", 13)
        notes = [n for i in write_piece(transformer, settings, 16, mood).instruments for n in i.notes]
        return float(np.mean([n.pitch >= 60 for n in notes if n.start < 14 * 4 * 60 / 100.0]))  # before the closing chords

    assert upper_share() >= 0.25
    monkeypatch.setattr(sampling, "LINE_BONUS", 0.0)  # the model alone (the chords' thirds, brought in above, lift it a little)
    monkeypatch.setattr(sampling, "THIRD_BONUS", 0.0)
    assert upper_share() < 0.05
