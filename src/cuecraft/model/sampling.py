"""Sampling the transformer: temperature and nucleus (top-p) sampling with a key/value cache, under
constraints that keep REMI's grammar (every note whole), keep the music in the requested key, give
exactly the requested bars, and (if asked) close on a V7-I cadence: penultimate bar on
dominant-seventh tones, last bar on the tonic triad. A token the grammar forces (the one family's
Program) is written without a model step and read with the next."""

from __future__ import annotations

import contextlib
import math
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from cuecraft.model.composer import GenerationRequest
from cuecraft.model.decoder import DecoderWeights, NumpyDecoder
from cuecraft.model.events import Note
from cuecraft.model.tokenizer import ChordWeaver, Conditions, CueTokenizer, family_programs
from cuecraft.theory import Key

if TYPE_CHECKING:  # torch is imported only where a whole sequence goes through the torch model
    from cuecraft.model.transformer import CueTransformer

TOKENS_PER_BAR = 200  # a bar's budget (dense piano bars take 50-125 tokens); past it the bar is closed
SAMPLING_THREADS = 1  # one-token steps of a small model gain nothing from more threads, and lose a lot when cores are busy
# Pitch-class balance: once a piece has BALANCE_AFTER notes, a pitch class holding more than BALANCE_SHARE
# of them is offered at e^-(BALANCE_PENALTY + BALANCE_SLOPE x its excess share) of its probability (a
# repetition penalty, as in CTRL, growing with the excess), so no pedal note or stuck tune takes over a
# piece: real pieces keep their commonest pitch class under 30 % (MODEL_CARD.md).
BALANCE_AFTER, BALANCE_SHARE, BALANCE_PENALTY, BALANCE_SLOPE = 16, 0.22, 4.0, 80.0
# Register balance: once a piece has BALANCE_AFTER notes, while fewer than LINE_SHARE of them lie at or above
# middle C, pitches there are offered at e^LINE_BONUS their probability, so a short score keeps a line above
# its bass: VGMIDI's piano excerpts put at least 0.24 of their notes there in 95 % of pieces; the model alone
# wrote 3 of 20 calm, dark pieces as a bare bass pulse with none (MODEL_CARD.md).
LINE_SHARE, LINE_BONUS = 0.25, 4.0
# A restated bar is copied, past the penalty: it is written afresh instead when copying it would give one
# pitch class more than RESTATE_CEILING of the piece's notes (a bass pedal restated bar after bar).
RESTATE_CEILING = 0.30
# On the beat the chord's own tones are offered at e^CHORD_TONE_BONUS their probability: the corpora put
# 83-85 % of notes on chord tones, the model alone about 56 % (see MODEL_CARD.md).
CHORD_TONE_BONUS = 1.5
# The first note struck in a chord's first beat is offered its root in the bass (below middle C) at
# e^ROOT_BASS_BONUS its probability: the corpora's lowest note at a chord change is its root 57-82 % of
# the time (VGMusic, VGMIDI, POP909), the model's alone 29 % (MODEL_CARD.md).
ROOT_BASS_BONUS, BASS_BELOW = 2.5, 60
# Until the chord of the moment's third (the tone that tells major from minor) has sounded, pitches of it at or
# above middle C are offered at e^THIRD_BONUS their probability: the model alone often left it out, and the
# labeller heard 14 % of planned beats on the planned root in another quality (a minor chord as a bare fifth
# heard major); with the bonus 9 %, and 69 % of beats as planned instead of 63 % (bench/plan_adherence.py).
THIRD_BONUS = 2.0
# Off the downbeat, while a piece has fewer notes outside the key than its emotion's share (the learned
# emotion profile: 5-12 % in the labelled corpus, the model alone about 1 %), chromatic passing and
# neighbour tones are allowed and offered at e^COLOUR_BONUS their probability, times their degree's
# share of the corpus's chromatic notes relative to the commonest degree's.
COLOUR_BONUS = 3.0
# A chromatic tone is a passing or neighbour note: it is offered only a step (one or two semitones) from a
# pitch struck at the position before, and at the position after it, pitches a step from it are offered
# at e^RESOLVE_BONUS their probability. Of their notes outside both the local key and the chord, the
# held-out soundtracks have 83 % a step from a neighbour within a beat; the model under the pitch-class
# rule alone, 56-77 % (music_measures.chromatic_steps, MODEL_CARD.md session 20): a chromatic note that
# leaps in and out sounds wrong, not coloured.
STEP = (1, 2)
RESOLVE_BONUS = 2.0
# When a position's first family is chosen, a family asked for that has not played for FAMILY_REST_BARS bars
# (or not yet) is offered at e^FAMILY_ENTRY_BONUS its probability: the held-out soundtracks leave none of
# their families silent through 16 bars (median), the model alone a third of those asked for (bench/instrumentation.py).
FAMILY_REST_BARS, FAMILY_ENTRY_BONUS = 4, 2.0


class PitchBalance:
    """Counts the pitch classes and registers written so far and says which to hold back or bring in."""

    def __init__(self, tokenizer: CueTokenizer) -> None:
        self.pc_of = tokenizer.pitch_class_of
        self.counts = np.zeros(12)
        self.upper = tokenizer.pitch_of >= BASS_BELOW  # pitches at or above middle C
        self.upper_count = 0
        self._line_bias = np.where(self.upper, LINE_BONUS, 0.0)

    def add(self, token: int) -> None:
        if self.pc_of[token] >= 0:
            self.counts[self.pc_of[token]] += 1
            self.upper_count += int(self.upper[token])

    def keeps_balance(self, tokens: list[int]) -> bool:
        """Whether adding `tokens` leaves every pitch class at or under RESTATE_CEILING of the notes."""
        classes = self.pc_of[tokens]
        added = np.bincount(classes[classes >= 0], minlength=12)
        after = self.counts + added
        return after.sum() < BALANCE_AFTER or after.max() <= RESTATE_CEILING * after.sum()

    def bias(self) -> np.ndarray | None:
        """Logit offsets for the next pitch (None while nothing is held back or brought in)."""
        total = self.counts.sum()
        if total < BALANCE_AFTER:
            return None
        line = self._line_bias if self.upper_count < LINE_SHARE * total else None
        excess = np.clip(self.counts / total - BALANCE_SHARE, 0.0, None)
        if not excess.any():
            return line
        penalty = np.where(excess > 0, BALANCE_PENALTY + BALANCE_SLOPE * excess, 0.0)
        held = np.where(self.pc_of >= 0, -penalty[self.pc_of], 0.0)
        return held if line is None else held + line


def over_chord(scale: frozenset[int], chord: frozenset[int], other_forms: dict[int, int] | None = None) -> frozenset[int]:
    """The pitch classes a line may take over `chord`: its tones, and the scale's but for those a
    semitone from a chromatic chord tone (over a borrowed C minor in C major, E gives way to E flat)
    and the other form of a degree the chord holds (over F major in D minor, C sharp gives way to C)."""
    chromatic = chord - scale
    clashing = {p for p in scale if any((p - c) % 12 in (1, 11) for c in chromatic)}
    clashing |= {other for tone, other in (other_forms or {}).items() if tone in chord and other not in chord}
    return frozenset((scale - clashing) | chord)


def colour_tones(scale: frozenset[int], chord: frozenset[int] | None, weights: tuple[float, ...]) -> frozenset[int]:
    """Chromatic tones a line may pass through: those outside the scale a semitone from a tone of the
    chord of the moment (chromatic passing and neighbour notes), or from the scale's with no chord,
    that music in the key takes at all (`weights` by pitch class)."""
    around = chord if chord is not None else scale
    return frozenset(p for p in range(12) if p not in scale and weights[p] > 0 and any((p - c) % 12 in (1, 11) for c in around))


class BarConstraint:
    """Tracks the bars generated so far and says which tokens may come next. Pitches stay in the key's
    scale or the chord of the moment (a secondary dominant may bring its leading tone), but for
    chromatic passing tones up to the `chromatic` share of the notes (on degrees `colour_weights`
    allows); in a V7-I close they keep to the chord's tones (the dominant seventh's, then the tonic triad's)."""

    def __init__(self, tokenizer: CueTokenizer, key: Key, n_bars: int, cadence: bool, chromatic: float = 0.0,
                 colour_weights: tuple[float, ...] = (), families: tuple[str, ...] = ("piano",)) -> None:  # fmt: skip
        self.tokenizer, self.key, self.n_bars, self.cadence, self.chromatic = tokenizer, key, n_bars, cadence, chromatic
        self.programs = tokenizer.program_mask(family_programs(families))
        self.last_bar_of = {int(token): 0 for token in np.flatnonzero(self.programs)}  # each family's last bar played
        weights = np.array(colour_weights or [1.0] * 12, dtype=float)
        self.colour_weights = tuple(weights / max(weights.max(), 1e-9))
        with np.errstate(divide="ignore"):
            self._colour_logits = np.where(weights > 0, COLOUR_BONUS + np.log(np.maximum(self.colour_weights, 1e-9)), 0.0)
        kinds = [name.split("_")[0] for name in tokenizer.names]
        self.is_kind = {k: np.array([kind == k for kind in kinds]) for k in ("Bar", "Program", "Pitch", "Position", "Velocity", "Duration")}
        self.last_kind = "Start"
        dominant = {(key.tonic + i) % 12 for i in (7, 11, 2, 5)}
        tonic = {(key.tonic + i) % 12 for i in key.tonic_triad()}
        self.scale = key.allowed_pitch_classes()
        self.other_forms = key.other_forms()
        self.pitch_sets = {"scale": self._pitch_mask(self.scale), "dominant": self._pitch_mask(dominant), "tonic": self._pitch_mask(tonic)}
        self.chord: frozenset[int] | None = None  # tones of the chord of the moment (from its token)
        self.root_due: int | None = None  # the new chord's root until a note is struck in its first beat
        self.third_due: int | None = None  # the chord's third until it sounds
        self.chord_from = 0  # position where the chord of the moment began
        low = tokenizer.pitch_of < BASS_BELOW
        self._bass_roots = {pc: (tokenizer.pitch_class_of == pc) & low for pc in range(12)}
        self._upper_thirds = {pc: (tokenizer.pitch_class_of == pc) & ~low for pc in range(12)}
        self._masks: dict[frozenset[int], np.ndarray] = {}
        self._colour_biases: dict[frozenset[int] | None, np.ndarray] = {}
        self.position_ids = np.array(sorted(tokenizer.position_of, key=tokenizer.position_of.get))
        self.position = -1  # the bar's last Position: time only moves forward
        self.first_at_position = False  # whether the next pitch is the first struck at this position
        self.bars_opened = 0
        self.notes_in_bar = 0
        self.tokens_in_bar = 0
        self.struck = self.coloured = 0  # notes written, and how many of them lie outside the key
        self.current_pitches: set[int] = set()  # struck at this position
        self.near_previous = np.zeros(len(tokenizer), dtype=bool)  # pitches a step from those of the last position with notes
        self.resolving: int | None = None  # a chromatic tone struck, until a pitch after it steps from it
        self.finished = False

    def _pitch_mask(self, pitch_classes: set[int] | frozenset[int]) -> np.ndarray:
        return np.isin(self.tokenizer.pitch_class_of, list(pitch_classes))

    def _cached_mask(self, pitch_classes: frozenset[int]) -> np.ndarray:
        if pitch_classes not in self._masks:
            self._masks[pitch_classes] = self._pitch_mask(pitch_classes)
        return self._masks[pitch_classes]

    def _in_close(self) -> bool:
        bar = self.bars_opened - 1  # 0-based index of the bar being written
        return self.cadence and (bar == self.n_bars - 1 or (self.n_bars >= 2 and bar == self.n_bars - 2))

    def _colour_due(self) -> bool:
        """Off the bar's downbeat, outside the close, while the piece has fewer chromatic notes than its share."""
        return (self.chromatic > 0 and self.position > 0 and not self._in_close()
                and self.coloured < self.chromatic * (self.struck + 1))  # fmt: skip

    def _pitches_now(self) -> np.ndarray:
        if self._in_close():
            if self.chord is not None:
                return self._cached_mask(self.chord)
            return self.pitch_sets["tonic" if self.bars_opened == self.n_bars else "dominant"]
        allowed = self.pitch_sets["scale"] if self.chord is None else self._cached_mask(over_chord(self.scale, self.chord, self.other_forms))
        if self.first_at_position and self._colour_due():  # a passing tone, never inside a struck chord
            allowed = allowed | self._colour_mask()
        elif self.resolving in self.current_pitches:  # struck with a chromatic tone: the chord it passes over
            beside = frozenset({(self.resolving + 1) % 12, (self.resolving - 1) % 12})
            allowed = self._cached_mask((self.chord or self.scale) - beside)
        return allowed

    def _colour_mask(self) -> np.ndarray:
        """The chromatic tones on offer now: colour_tones a step from a pitch of the position before."""
        return self._cached_mask(colour_tones(self.scale, self.chord, self.colour_weights)) & self.near_previous

    def _steps_from(self, pitches: Iterable[int]) -> np.ndarray:
        """Pitch tokens one or two semitones from any of `pitches`."""
        distance = np.abs(self.tokenizer.pitch_of[:, None] - np.fromiter(pitches, int)[None, :])
        return (self.tokenizer.pitch_of >= 0) & np.isin(distance, STEP).any(axis=1)

    def colour_bias(self) -> np.ndarray | None:
        """Logit offsets offering chromatic passing tones while the piece is short of its share."""
        if self.last_kind != "Program" or not self.first_at_position or not self._colour_due():
            return None
        if self.chord not in self._colour_biases:  # one array per chord (None: no chord yet)
            tones = self._cached_mask(colour_tones(self.scale, self.chord, self.colour_weights))
            self._colour_biases[self.chord] = np.where(tones, self._colour_logits[np.maximum(self.tokenizer.pitch_class_of, 0)], 0.0)
        return np.where(self.near_previous, self._colour_biases[self.chord], 0.0)

    def resolve_bias(self) -> np.ndarray | None:
        """Logit offsets leading the pitches after a chromatic tone a step away from it."""
        if self.resolving is None or self.last_kind != "Program" or self.position < 0 or self.resolving in self.current_pitches:
            return None
        return self._steps_from((self.resolving,)) * RESOLVE_BONUS

    def entry_bias(self) -> np.ndarray | None:
        """Logit offsets bringing in the families asked for that have rested FAMILY_REST_BARS bars, when
        the family of a position's first note is chosen (None with one family, or none resting)."""
        if self.last_kind != "Position" or len(self.last_bar_of) < 2:
            return None
        resting = [token for token, bar in self.last_bar_of.items() if self.bars_opened - bar > FAMILY_REST_BARS]
        if not resting:
            return None
        bias = np.zeros(len(self.tokenizer))
        bias[resting] = FAMILY_ENTRY_BONUS
        return bias

    def allowed(self) -> np.ndarray:
        """REMI grammar: Bar > Position > Program > Pitch > Velocity > Duration > (Program | Position | Bar | EOS),
        the programs those of the requested families; a bar holds a note before it closes."""
        mask = np.zeros(len(self.tokenizer), dtype=bool)
        kind = self.last_kind
        if kind == "Position":
            return mask | self.programs
        if kind == "Program":
            return mask | self._pitches_now()
        if kind == "Pitch":
            return mask | self.is_kind["Velocity"]
        if kind == "Velocity":
            return mask | self.is_kind["Duration"]
        if kind in ("Bar", "Duration"):
            mask[self.position_ids[self.position + 1 :]] = True
        if kind == "Duration":
            mask |= self.programs
        if self.bars_opened == 0 or self.notes_in_bar > 0:  # no bar left empty: the short score never falls silent
            if self.tokens_in_bar >= TOKENS_PER_BAR:
                mask[:] = False  # over budget: close the bar now
            mask[self.tokenizer.bar] = True
            if self.bars_opened == self.n_bars:
                mask[self.tokenizer.eos] = True
        return mask

    def chord_tone_bias(self) -> np.ndarray | None:
        """Logit offsets favouring the chord's tones when the next pitch falls on a beat."""
        if self.chord is None or self.last_kind != "Program" or self.position % 4:
            return None
        bias = self._cached_mask(self.chord) * CHORD_TONE_BONUS
        if self.root_due is not None and self.first_at_position and self.position < self.chord_from + 4:
            bias = bias + self._bass_roots[self.root_due] * ROOT_BASS_BONUS
        return bias

    def third_bias(self) -> np.ndarray | None:
        """Logit offsets bringing in the chord's third above the bass while it has not sounded (outside the close,
        whose chords are written out)."""
        if self.third_due is None or self.last_kind != "Program" or self._in_close():
            return None
        return self._upper_thirds[self.third_due] * THIRD_BONUS

    def update(self, token: int) -> None:
        """Advance the state by a token; a Bar or EOS after the last bar finishes the piece. Chord
        tokens set the chord of the moment and leave the grammar where it was."""
        if token == self.tokenizer.eos or (token == self.tokenizer.bar and self.bars_opened == self.n_bars):
            self.finished = True
            return
        self.tokens_in_bar += 1
        if self.tokenizer.is_chord[token]:
            chord = self.tokenizer.chord_of(token, self.key.tonic)
            self.chord, self.root_due, self.chord_from = chord.pitch_classes, chord.root, max(0, self.position)
            self.third_due = chord.third
            return
        if token == self.tokenizer.bar:
            self._next_position()
            self.bars_opened += 1
            self.notes_in_bar = self.tokens_in_bar = 0
            self.position = -1
        elif token in self.tokenizer.position_of:
            self.position = self.tokenizer.position_of[token]
            self.first_at_position = True
            self._next_position()
        elif self.is_kind["Duration"][token]:
            self.notes_in_bar += 1
        elif token in self.last_bar_of:
            self.last_bar_of[token] = self.bars_opened
        elif self.is_kind["Pitch"][token]:
            self.root_due, self.first_at_position = None, False
            if self.tokenizer.pitch_class_of[token] == self.third_due:
                self.third_due = None
            self.struck += 1
            pitch = int(self.tokenizer.pitch_of[token])
            if self.resolving is not None and abs(pitch - self.resolving) in STEP and self.resolving not in self.current_pitches:
                self.resolving = None
            if self.tokenizer.pitch_class_of[token] not in self.scale:
                self.coloured += 1
                if self.chord is None or self.tokenizer.pitch_class_of[token] not in self.chord:  # a passing tone, not a borrowed chord's
                    self.resolving = pitch
            self.current_pitches.add(pitch)
        self.last_kind = self.tokenizer.names[token].split("_")[0]

    def _next_position(self) -> None:
        """Time moves on: what this position struck becomes the position before; a chromatic tone
        struck before that has had its chance to resolve."""
        if self.current_pitches:
            if self.resolving is not None and self.resolving not in self.current_pitches:
                self.resolving = None
            self.near_previous, self.current_pitches = self._steps_from(self.current_pitches), set()


@dataclass(frozen=True)
class SamplingSettings:
    temperature: float = 1.0
    top_p: float = 0.95
    use_cache: bool = True


def nucleus_sample(logits: np.ndarray, allowed: np.ndarray, temperature: float, top_p: float, rng: np.random.Generator,
                   bias: np.ndarray | None = None) -> int:  # fmt: skip
    """Sample one id from the allowed tokens' renormalised top-p mass (logits offset by `bias`, if given).
    In NumPy: over a vocabulary of a few hundred, torch's per-call overhead cost more than the model step."""
    logits = np.where(allowed, logits if bias is None else logits + bias, -np.inf).astype(np.float64)
    scaled = logits / max(temperature, 1e-4)
    probs = np.exp(scaled - scaled.max())
    order = np.argsort(-probs, kind="stable")
    sorted_probs = probs[order] / probs.sum()
    keep = np.cumsum(sorted_probs) - sorted_probs < top_p
    keep[0] = True
    kept = np.cumsum(sorted_probs * keep)
    return int(order[min(int(np.searchsorted(kept, rng.random() * kept[-1], side="right")), len(order) - 1)])


def sample_ids(model: CueTransformer | DecoderWeights, tokenizer: CueTokenizer, request: GenerationRequest,
               settings: SamplingSettings = SamplingSettings()) -> list[int]:  # fmt: skip
    """Token ids of the prompt and its continuation to exactly ceil(length / bar) bars, with the
    request's chord plan woven in as the model reads and writes, and its repeated bars restated.
    `model` as DecoderWeights samples without torch (with the cache only)."""
    if request.beats_per_bar != 4:
        raise ValueError("the transformer writes 4/4 only")
    n_bars = max(1, math.ceil(request.length_beats / 4 - 1e-9))
    prefix = _condition_ids(tokenizer, request)
    constraint = BarConstraint(tokenizer, request.key, n_bars, request.cadence, request.chromatic, request.colour_weights,
                               request.families)  # fmt: skip
    weaver = ChordWeaver(tokenizer, list(request.chords), request.key.tonic)
    body: list[int] = []
    bar_notes: dict[int, list[int]] = {}  # each bar's note tokens as written, for restating it
    repeats = dict(request.repeats)
    velocity = None if request.velocity is None else tokenizer.velocity_id(request.velocity)
    balance = PitchBalance(tokenizer)
    queue: deque[int] = deque(_trim_prompt(tokenizer.encode_notes(request.prompt), tokenizer, n_bars))
    rng = np.random.default_rng(request.seed)
    context = model.config.context
    decoder = NumpyDecoder(model) if settings.use_cache else None
    fed = 0  # how much of prefix+body the decoder's cache holds
    window_start = 0  # body index where the model's view begins (after sliding)
    with decoder.blas if decoder else contextlib.nullcontext():  # BLAS on one thread, set once for the whole loop
        while not constraint.finished:
            allowed = None if queue else constraint.allowed()
            if queue:
                token = queue.popleft()
            elif np.count_nonzero(allowed) == 1:  # forced by the grammar (one family's Program): no model step, fed with the next
                token = int(np.flatnonzero(allowed)[0])
            else:
                view = prefix + body[window_start:]
                if len(view) >= context:
                    window_start = _slide(body, tokenizer, len(body) - (context - len(prefix)) // 2)
                    view, fed = prefix + body[window_start:], 0
                    if decoder is not None:
                        decoder.reset()
                if decoder is not None:
                    logits = decoder.feed(view[fed:])
                    fed = len(view)
                else:
                    logits = _torch_logits(model, view)
                biases = (balance.bias(), constraint.chord_tone_bias(), constraint.third_bias(), constraint.colour_bias(),
                          constraint.resolve_bias(), constraint.entry_bias())
                offsets = [b for b in biases if b is not None]
                token = nucleus_sample(logits, allowed, request.temperature * settings.temperature, settings.top_p,
                                       rng, sum(offsets) if offsets else None)  # fmt: skip
            balance.add(token)
            for out in weaver.feed(token):
                constraint.update(out)
                if constraint.finished:
                    break
                body.append(out)
            if velocity is not None and constraint.last_kind == "Pitch" and not queue:
                queue.append(velocity)  # fed with the pitch in the next step: one model call saved per note
            bar = constraint.bars_opened - 1
            if token != tokenizer.bar:
                bar_notes.setdefault(bar, []).append(token)
            elif not constraint.finished and repeats.get(bar) in bar_notes and not queue and balance.keeps_balance(bar_notes[repeats[bar]]):
                queue.extend([*bar_notes[repeats[bar]], tokenizer.bar])
    return body


def _torch_logits(model: CueTransformer, view: list[int]) -> np.ndarray:
    """The torch model's logits for the token after `view`, the whole view run again (no cache)."""
    import torch

    torch.set_num_threads(SAMPLING_THREADS)
    with torch.inference_mode():
        return model(torch.tensor([view]))[0][0, -1].numpy()


def log_likelihood(model: CueTransformer, tokenizer: CueTokenizer, request: GenerationRequest, notes: list[Note],
                   from_beat: float) -> float:  # fmt: skip
    """Mean log-probability per token the model gives `notes` from `from_beat` (a bar line) on (at
    most a quarter of its context), having heard the request's conditions and as much before as fits."""
    if request.beats_per_bar != 4 or from_beat % 4:
        raise ValueError("the transformer hears 4/4 bars: from_beat must be on a bar line")
    prefix, body = _condition_ids(tokenizer, request), tokenizer.encode_with_chords(notes, list(request.chords), request.key.tonic)
    bars = [i for i, t in enumerate(body) if t == tokenizer.bar]
    first = int(from_beat // 4)
    if len(bars) <= first:
        raise ValueError(f"no music from beat {from_beat:g}")
    room = model.config.context - len(prefix)
    body = body[: bars[first] + room // 4]  # the judged music takes at most a quarter of the context
    start = _slide(body, tokenizer, len(body) - room + 1)
    if start >= bars[first] > 0:  # one very full bar before: better to hear it from its middle than not at all
        start = max(0, len(body) - room + 1)
    view = prefix + body[start:]
    import torch

    torch.set_num_threads(SAMPLING_THREADS)
    with torch.no_grad():
        logits, _ = model(torch.tensor([view[:-1]]))
        logp = torch.log_softmax(logits[0], dim=-1).gather(1, torch.tensor(view[1:])[:, None])[:, 0]
    judged_from = len(prefix) + bars[first] - start - 1  # logits at i predict view[i + 1]
    return float(logp[judged_from:].mean())


def _condition_ids(tokenizer: CueTokenizer, request: GenerationRequest) -> list[int]:
    conditions = Conditions(request.key, request.tempo, request.valence, request.arousal, request.density, request.families)
    return tokenizer.condition_ids_for(conditions)


def _trim_prompt(body: list[int], tokenizer: CueTokenizer, n_bars: int) -> list[int]:
    """Keep only the prompt's first n_bars - 1 bars, so at least one bar is generated."""
    bars = [i for i, t in enumerate(body) if t == tokenizer.bar]
    return body[: bars[n_bars - 1]] if len(bars) >= n_bars else body


def _slide(body: list[int], tokenizer: CueTokenizer, start: int) -> int:
    """The first Bar at or after `start` (so the model's view starts on a bar, as in training)."""
    for i in range(max(0, start), len(body)):
        if body[i] == tokenizer.bar:
            return i
    return max(0, start)


class TransformerComposer:
    """The conditioned transformer behind the Composer interface."""

    name = "cue-transformer"

    def __init__(self, model: CueTransformer | DecoderWeights, info: dict | None = None, settings: SamplingSettings = SamplingSettings()) -> None:
        self.model, self.info, self.settings = model if isinstance(model, DecoderWeights) else model.eval(), info or {}, settings
        self.tokenizer = CueTokenizer()

    def generate(self, request: GenerationRequest) -> list[Note]:
        ids = sample_ids(self.model, self.tokenizer, request, self.settings)
        return [n for n in self.tokenizer.decode_notes(ids) if n.onset < request.length_beats]

    def log_likelihood(self, request: GenerationRequest, notes: list[Note], from_beat: float) -> float:
        if isinstance(self.model, DecoderWeights):
            raise ValueError("judging a passage runs the whole sequence through the torch model: load the checkpoint")
        return log_likelihood(self.model, self.tokenizer, request, notes, from_beat)
