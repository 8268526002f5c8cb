"""Training away from the corpora: token packs, the MidiTok-free training path, and pseudo-labels."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cuecraft.corpus.chords import Chord, TimedChord
from cuecraft.errors import CuecraftError
from cuecraft.model.checkpoint import load_model
from cuecraft.model.dataset import TokenizedPiece
from cuecraft.model.events import Note
from cuecraft.model.pseudo_labels import MIN_LABELLED, PseudoLabeller, with_pseudo_labels
from cuecraft.model.token_pack import load_pack, save_pack
from cuecraft.model.tokenizer import CueTokenizer
from cuecraft.model.training_set import AnnotatedPiece, read_midi_piece, tokenize, vgmidi_group
from cuecraft.model.vocabulary import Conditions, Vocabulary
from cuecraft.theory import Key

TOKENIZER = CueTokenizer()
REPO = Path(__file__).resolve().parents[1]
# what a lent GPU machine lacks: the training path must not import any of it
ABSENT = ("miditok", "symusic", "pretty_midi", "pydantic", "av", "typer", "sklearn", "music21", "librosa", "fluidsynth")


@pytest.fixture(scope="module")
def pack_pieces(vgmidi_labelled: Path) -> list[TokenizedPiece]:
    pieces = [read_midi_piece(p, "vgmidi", vgmidi_group(p.stem)) for p in sorted(vgmidi_labelled.glob("*.mid"))[:12]]
    return tokenize([p for p in pieces if p is not None], TOKENIZER)


def test_a_token_pack_keeps_pieces_conditions_and_vocabulary(pack_pieces: list[TokenizedPiece], tmp_path: Path) -> None:
    save_pack(tmp_path / "pack.npz", pack_pieces, TOKENIZER)
    loaded, vocabulary = load_pack(tmp_path / "pack.npz")
    assert len(loaded) == len(pack_pieces) and vocabulary.names == TOKENIZER.names
    for a, b in zip(pack_pieces, loaded):
        assert np.array_equal(a.ids, b.ids) and np.array_equal(a.bar_starts, b.bar_starts)
        assert a.conditions == b.conditions
        assert vocabulary.condition_ids_for(b.conditions) == TOKENIZER.condition_ids_for(a.conditions)
    shifted = vocabulary.transpose(loaded[0].ids, 3)
    assert shifted is not None and np.array_equal(shifted, TOKENIZER.transpose(pack_pieces[0].ids, 3))


def test_damaged_token_packs_are_named(pack_pieces: list[TokenizedPiece], tmp_path: Path) -> None:
    path = tmp_path / "pack.npz"
    save_pack(path, pack_pieces, TOKENIZER)
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(CuecraftError, match="not a readable token pack"):
        load_pack(path)


def test_a_pack_trains_where_miditok_is_not(pack_pieces: list[TokenizedPiece], tmp_path: Path) -> None:
    """scripts/train_pack.py with MidiTok, symusic, PyAV, pydantic and scikit-learn unimportable (a
    GPU machine's set-up): it sizes its steps to the budget, trains, and the checkpoint loads here."""
    save_pack(tmp_path / "pack.npz", pack_pieces, TOKENIZER)
    out = tmp_path / "run"
    config = '{"d_model": 32, "n_layers": 1, "n_heads": 2, "d_ff": 64, "context": 96, "batch_size": 4, "eval_every": 5, "warmup_steps": 2}'
    block = "import sys, runpy; sys.modules.update(dict.fromkeys(%r)); sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')"
    result = subprocess.run([sys.executable, "-c", block % (ABSENT,), str(REPO / "scripts" / "train_pack.py"), str(tmp_path / "pack.npz"),
                             "--out", str(out), "--device", "cpu", "--minutes", "0.05", "--config", config],
                            capture_output=True, text=True, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert "ms per step on cpu" in result.stdout
    model, info = load_model(out / "model.pt")
    assert model.config.context == 96 and info["step"] >= 5 and np.isfinite(info["validation_loss"])


def _piece(title: str, positive: bool, source: str = "vgmidi", labelled: bool = True, seed: int = 0) -> AnnotatedPiece:
    """A four-bar piece whose character follows its valence: major, soft and sparse when positive,
    minor, loud and dense when negative (with a little noise)."""
    rng = np.random.default_rng(seed)
    key = Key(0, "major") if positive else Key(9, "minor")
    velocity = (55 if positive else 100) + int(rng.integers(-8, 9))
    step = 1.0 if positive else 0.5
    scale = key.scale()
    notes = [Note(t, step, 60 + scale[i % 7], velocity) for i, t in enumerate(np.arange(0, 16, step))]
    triad = Chord(key.tonic, "maj" if positive else "min")
    sign = 1.0 if positive else -1.0
    return AnnotatedPiece(title, source, title, notes, [TimedChord(0.0, 16.0, triad)], key, 100.0 + rng.normal(0, 5),
                          sign if labelled else None, sign if labelled else None)  # fmt: skip


def test_pseudo_labels_follow_the_labelled_pieces() -> None:
    labelled = [_piece(f"l{i}", i % 2 == 0, seed=i) for i in range(24)]
    unlabelled = [_piece(f"u{i}", i % 2 == 0, labelled=False, seed=100 + i) for i in range(10)]
    other = _piece("game", True, source="vgmusic", labelled=False)
    out = with_pseudo_labels([*labelled, *unlabelled, other])
    assert out[:24] == labelled  # listener labels stand
    for piece, original in zip(out[24:34], unlabelled):
        want = 1.0 if original.key.mode == "major" else -1.0
        assert (piece.valence, piece.arousal) == (want, want)
    assert out[34].valence is None  # other corpora are not labelled
    assert PseudoLabeller.cross_validated(labelled)["valence"] >= 0.9


def test_too_few_listener_labels_leave_the_pieces_unlabelled() -> None:
    pieces = [_piece(f"l{i}", i % 2 == 0, seed=i) for i in range(MIN_LABELLED - 1)] + [_piece("u", True, labelled=False)]
    assert with_pseudo_labels(pieces)[-1].valence is None


def test_the_vocabulary_alone_builds_condition_prefixes() -> None:
    vocabulary = Vocabulary(TOKENIZER.names)
    conditions = Conditions(Key(2, "minor"), 130.0, -0.5, 0.5, 20.0, ("strings", "no-such-family"))
    names = [vocabulary.names[i] for i in vocabulary.condition_ids_for(conditions)]
    assert names == ["BOS_None", "Valence_neg", "Arousal_pos", "Mode_minor", "Tonic_2", "Tempo_5", "Density_4", "Family_strings"]
