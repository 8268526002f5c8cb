"""The transformer's training set, read straight from the corpora's folders: every 4/4 piece with its
key, timed chords and emotion labels, deduplicated, with whole groups (a game, a song) held out.

- POP909: annotated chord labels and keys over melody + counter-line + piano (the harmony teacher).
- VGMIDI: piano game music; the labelled pieces of half the games (HELD_OUT_EMOTION) are kept out of
  training entirely, with every note-identical copy in the unlabelled sets (the dedup keeps the
  labelled copy) and the unlabelled pieces named after the same game, so an emotion judge can be
  trained on them that has never heard the model's teachers.
- VGMusic: multi-track game soundtracks, merged into one stream; one game in ten (HELD_OUT_GAMES)
  is kept out for evaluation against real music the model never saw.
Keys come from the corpus's home-key finder (corpus.global_key: profile, tonic chord time, cadences,
first and last chord), chords from the template labeller (corpus.chords), except POP909's, which
are human. A note fingerprint drops re-saved copies of one piece.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import warnings
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pretty_midi

from cuecraft.corpus.chords import TimedChord, label_chords
from cuecraft.corpus.figures import FigurePart, accompaniment_part, bass_part, file_chords, timpani_part
from cuecraft.corpus.drums import DrumPart, drum_part, single_meter
from cuecraft.corpus.features import gm_family
from cuecraft.corpus.global_key import find_key
from cuecraft.corpus.labels import read_vgmidi_labels
from cuecraft.corpus.pop909 import read_song
from cuecraft.corpus.symbolic import load_midi
from cuecraft.atomic import atomic_path
from cuecraft.errors import CuecraftError
from cuecraft.model.events import Note
from cuecraft.model.harmony import ChordSequence, chord_changes
from cuecraft.model.tokenizer import Conditions, CueTokenizer
from cuecraft.theory import Key

MAX_NOTES_PER_BAR = 48  # denser merged scores (a whole band in one stream) teach the short score little
HELD_OUT_GAMES = 10  # one VGMusic game in this many is kept for evaluation
HELD_OUT_EMOTION = 2  # one VGMIDI game in this many lends its labelled pieces to the emotion judge only


@dataclass
class AnnotatedPiece:
    """A piece as the model learns it: notes in beats from a downbeat, key, chords, conditions."""

    title: str
    source: str
    group: str  # what a split keeps together: the game or the song
    notes: list[Note]
    chords: list[TimedChord]
    key: Key
    tempo: float
    valence: float | None = None
    arousal: float | None = None
    families: tuple[str, ...] = ("piano",)

    def conditions(self) -> Conditions:
        return Conditions(self.key, self.tempo, self.valence, self.arousal, None, self.families)


def stable_bucket(name: str, buckets: int) -> int:
    """A bucket for `name` that never changes between runs or machines (crc32)."""
    return zlib.crc32(name.encode()) % buckets


def fingerprint(notes: list[Note]) -> str:
    """The piece's first 300 onsets and pitches on a 16th grid: equal for re-saved copies."""
    head = sorted((round(n.onset * 4), n.pitch) for n in notes)[:300]
    return hashlib.sha1(repr(head).encode()).hexdigest()


def read_midi_piece(path: Path, source: str, group: str, label: tuple[float, float] | None = None) -> AnnotatedPiece | None:
    """A 4/4 MIDI file as an annotated piece (None when it is not 4/4, empty or too dense)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            midi = pretty_midi.PrettyMIDI(str(path))
    except Exception:  # noqa: BLE001 - an unreadable corpus file is left out, as ingest does
        return None
    signatures = midi.time_signature_changes
    if signatures and (signatures[0].numerator, signatures[0].denominator) != (4, 4):
        return None
    resolution = midi.resolution
    notes = [
        Note(midi.time_to_tick(n.start) / resolution, max(0.05, (midi.time_to_tick(n.end) - midi.time_to_tick(n.start)) / resolution),
             n.pitch, n.velocity, inst.program)
        for inst in midi.instruments if not inst.is_drum for n in inst.notes
    ]  # fmt: skip
    if len(notes) < 16:
        return None
    length = max(n.onset + n.duration for n in notes)
    if len(notes) / max(1.0, length / 4) > MAX_NOTES_PER_BAR:
        return None
    chords = label_chords(notes, length)
    key, _ = find_key(notes, chords)
    families = tuple(sorted({gm_family(i.program, i.is_drum) for i in midi.instruments if i.notes}))
    valence, arousal = label if label else (None, None)
    tempo = float(midi.get_tempo_changes()[1][0])
    return AnnotatedPiece(path.stem, source, group, sorted(notes, key=lambda n: (n.onset, n.pitch)), chords,
                          key, round(tempo, 2), valence, arousal, families)  # fmt: skip


def _read_job(job: tuple[str, str, str, tuple[float, float] | None]) -> AnnotatedPiece | None:
    path, source, group, label = job
    return read_midi_piece(Path(path), source, group, label)


def vgmidi_group(stem: str) -> str:
    """VGMIDI names files Series_Console_Game_Piece: the game is the group."""
    parts = stem.split("_")
    return parts[2] if len(parts) >= 4 else parts[0]


def is_held_out_for_emotion(game: str) -> bool:
    """Whether a VGMIDI game's labelled pieces belong to the emotion judge (never to training)."""
    return stable_bucket(game, HELD_OUT_EMOTION) == 0


def is_held_out_game(game: str) -> bool:
    """Whether a VGMusic game is kept out of training for evaluation."""
    return stable_bucket(game, HELD_OUT_GAMES) == 0


def vgmusic_games(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir())


def _jobs(data: Path) -> Iterator[tuple[str, str, str, tuple[float, float] | None]]:
    vgmidi = data / "vgmidi"
    if vgmidi.is_dir():
        labels = read_vgmidi_labels(vgmidi / "vgmidi_labelled.csv")
        for folder in ("labelled_midi", "unlabelled_midi", "v1_unlabelled"):
            for path in sorted((vgmidi / folder).rglob("*.mid")) if (vgmidi / folder).is_dir() else []:
                yield str(path), "vgmidi", vgmidi_group(path.stem), labels.get(path.stem)
    vgmusic = data / "vgmusic" / "midi"
    if vgmusic.is_dir():
        for game in vgmusic_games(vgmusic):
            for path in sorted(game.glob("*.mid")):
                yield str(path), "vgmusic", game.name, None


def read_corpora(data: str | Path, workers: int = min(2, os.cpu_count() or 1)) -> list[AnnotatedPiece]:
    """Every usable piece under a data folder (pop909/, vgmidi/, vgmusic/), in a fixed order,
    deduplicated by note fingerprint (the first copy, labelled pieces first, wins)."""
    data = Path(data)
    if not data.is_dir():
        raise CuecraftError(data, "no such data folder")
    pieces: list[AnnotatedPiece] = []
    songs = data / "pop909" / "songs"
    for folder in sorted(songs.iterdir()) if songs.is_dir() else []:
        try:
            song = read_song(folder)
        except CuecraftError:
            continue
        pieces.append(AnnotatedPiece(f"pop909-{song.title}", "pop909", song.title, song.notes, song.chords, song.key, song.tempo))
    jobs = list(_jobs(data))
    with ProcessPoolExecutor(max_workers=max(1, workers)) as pool:
        pieces += [p for p in pool.map(_read_job, jobs, chunksize=16) if p is not None]
    seen: set[str] = set()
    unique = []
    for piece in pieces:
        mark = fingerprint(piece.notes)
        if mark not in seen:
            seen.add(mark)
            unique.append(piece)
    return unique


def split_for_training(pieces: list[AnnotatedPiece]) -> tuple[list[AnnotatedPiece], list[AnnotatedPiece]]:
    """(training pieces, held-out pieces): held out are the emotion judge's VGMIDI games and one
    VGMusic game in ten. A held-out VGMIDI game's unlabelled pieces are held out with it."""
    held_games = {p.group for p in pieces if p.source == "vgmidi" and p.valence is not None and is_held_out_for_emotion(p.group)}
    train, held = [], []
    for p in pieces:
        out = (p.source == "vgmidi" and p.group in held_games) or (p.source == "vgmusic" and is_held_out_game(p.group))
        (held if out else train).append(p)
    return train, held


def tokenize(pieces: list[AnnotatedPiece], tokenizer: CueTokenizer) -> list:
    """TokenizedPieces (REMI ids with chord tokens) for the data loader."""
    from cuecraft.model.dataset import TokenizedPiece

    out = []
    for p in pieces:
        ids = np.array(tokenizer.encode_with_chords(p.notes, p.chords, p.key.tonic), dtype=np.int32)
        bars = np.flatnonzero(ids == tokenizer.bar)
        if len(bars) >= 2:
            out.append(TokenizedPiece(p.title, ids, p.conditions(), bars))
    return out


def load_corpora(data: str | Path, cache: Path) -> list[AnnotatedPiece]:
    """read_corpora, cached in `cache` (a local build product: a pickle this project wrote itself)."""
    if cache.is_file():
        with cache.open("rb") as handle:
            return pickle.load(handle)
    pieces = read_corpora(data)
    cache.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(cache) as tmp, open(tmp, "wb") as handle:
        pickle.dump(pieces, handle)
    return pieces


def load_split(data: str | Path, cache: Path) -> tuple[list[AnnotatedPiece], list[AnnotatedPiece]]:
    """(training pieces, held-out pieces) of the corpora under `data` (read once, cached)."""
    return split_for_training(load_corpora(data, cache))


def vgmusic_midis(data: str | Path, held_out: bool = False, on_file: Callable[[int, int], None] | None = None,
                  ) -> Iterator[pretty_midi.PrettyMIDI]:  # fmt: skip
    """The readable files of the VGMusic training games (or, `held_out`, of the games kept for
    evaluation) under a data folder; unreadable files are passed over, as in read_corpora.
    `on_file`: (done, total)."""
    root = Path(data) / "vgmusic" / "midi"
    games = [g for g in vgmusic_games(root) if is_held_out_game(g.name) == held_out] if root.is_dir() else []
    paths = [path for game in games for path in sorted(game.glob("*.mid"))]
    for done, path in enumerate(paths, 1):
        if on_file:
            on_file(done, len(paths))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # pretty_midi's notes on meta events in odd tracks
                midi = load_midi(path)
        except CuecraftError:
            continue
        yield midi


def rhythm_parts(data: str | Path, held_out: bool = False, on_file: Callable[[int, int], None] | None = None,
                 ) -> Iterator[tuple[DrumPart | None, FigurePart | None, FigurePart | None, FigurePart | None]]:  # fmt: skip
    """Each readable file's drum part, bass line, accompaniment and timpani (None where it has none),
    of vgmusic_midis."""
    for midi in vgmusic_midis(data, held_out, on_file):
        chords = file_chords(midi) if single_meter(midi) else []  # the figures all read them
        yield drum_part(midi), bass_part(midi, chords), accompaniment_part(midi, chords), timpani_part(midi, chords)


def chord_sequences(pieces: list[AnnotatedPiece]) -> list[ChordSequence]:
    """Each piece's chord changes as degree symbols of its key, for the harmony model."""
    sequences = []
    for p in pieces:
        symbols, beats = chord_changes(p.chords, p.key)
        if len(symbols) >= 3:
            sequences.append(ChordSequence(p.key.mode, symbols, beats, p.tempo, p.valence, p.arousal))
    return sequences
