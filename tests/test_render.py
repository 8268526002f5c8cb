import numpy as np
import pretty_midi
import pytest

from cuecraft.render.loudness import integrated_loudness, normalize, true_peak_dbtp
from cuecraft.render.soundfont import find_soundfont
from cuecraft.render.synth import Renderer

RATE = 48000


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer(find_soundfont(), RATE)


def one_note(start: float, end: float, program: int = 0) -> pretty_midi.PrettyMIDI:
    midi = pretty_midi.PrettyMIDI()
    inst = pretty_midi.Instrument(program=program)
    inst.notes.append(pretty_midi.Note(100, 69, start, end))
    midi.instruments.append(inst)
    return midi


def test_render_is_sample_exact_and_starts_on_time(renderer: Renderer) -> None:
    audio = renderer.render(one_note(0.5, 1.0), 60000)
    assert audio.shape == (2, 60000)
    onset = int(np.argmax(np.abs(audio[0]) > 1e-3))
    assert abs(onset - RATE // 2) < RATE * 0.005  # within 5 ms of 0.5 s
    assert np.abs(audio[:, : RATE // 2 - 240]).max() < 1e-4  # silence before the note
    assert np.abs(audio[:, -1]).max() == 0.0  # faded to silence at the out point


def test_nothing_leaks_from_one_render_into_the_next(renderer: Renderer) -> None:
    first = renderer.render(one_note(0.0, 2.0, program=48), RATE)  # cut while the strings still sound
    silence = renderer.render(pretty_midi.PrettyMIDI(), RATE)
    assert np.abs(silence).max() < 1e-6  # FluidSynth idles at about -150 dBFS
    assert np.array_equal(renderer.render(one_note(0.0, 2.0, program=48), RATE), first)  # same MIDI, same audio


def test_rendered_a4_has_its_pitch(renderer: Renderer) -> None:
    audio = renderer.render(one_note(0.0, 1.0), RATE)[0]
    spectrum = np.abs(np.fft.rfft(audio * np.hanning(len(audio))))
    peak_hz = np.argmax(spectrum) * RATE / len(audio)
    assert peak_hz == pytest.approx(440, rel=0.02)


def test_normalize_hits_the_target_and_limits_peaks() -> None:
    rng = np.random.default_rng(0)
    t = np.arange(RATE * 4) / RATE
    music = 0.05 * np.sin(2 * np.pi * 220 * t) * (1 + rng.normal(0, 0.1, t.size))
    music[RATE : RATE + 50] = 0.9  # a transient far above the rest
    audio = np.stack([music, music]).astype(np.float32)
    out, report = normalize(audio, RATE, target_lufs=-16.0, ceiling_dbtp=-1.0)
    assert integrated_loudness(out, RATE) == pytest.approx(-16.0, abs=0.5)
    assert true_peak_dbtp(out) <= -1.0
    assert report.true_peak_dbtp <= -1.0


def test_cues_land_at_their_start_samples_and_blocks_join_exactly(tmp_path) -> None:  # noqa: ANN001
    from cuecraft.render.streaming import PlacedCues

    a = np.ones((2, 100), np.float32)
    placed = PlacedCues(tmp_path / "mix", 1000, RATE)
    for start, audio in ((0, a), (150, 2 * a), (950, a)):
        placed.add(start, audio)
    mix = placed.block(0, 1000)
    assert mix.shape == (2, 1000)
    assert mix[0, 99] == 1 and mix[0, 100] == 0 and mix[0, 150] == 2 and mix[0, 999] == 1
    assert np.array_equal(np.concatenate([placed.block(0, 170), placed.block(170, 830)], axis=1), mix)


def test_a_mix_written_in_blocks_meets_its_target_as_one_held_whole_does(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    import soundfile

    from cuecraft.render import streaming
    from cuecraft.render.loudness import LoudnessMeter, loudness_range

    rng = np.random.default_rng(4)
    t = np.arange(40 * RATE) / RATE
    music = (np.sin(2 * np.pi * 220 * t) * (0.2 + 0.8 * (t % 7 < 3)) * 0.5 + rng.normal(0, 0.02, t.size)).astype(np.float32)
    music[5 * RATE] = 0.99  # one spike the limiter must catch at the target gain
    audio = np.stack([music, np.roll(music, 300)])
    monkeypatch.setattr(streaming, "BLOCK_S", 3.0)  # many block joins
    placed = streaming.PlacedCues(tmp_path / "mix", audio.shape[1], RATE)
    placed.add(0, audio)
    report = streaming.write_normalized(placed, tmp_path / "score.wav", -14.0, -1.0)
    written, _ = soundfile.read(tmp_path / "score.wav", always_2d=True)
    assert integrated_loudness(written.T, RATE) == pytest.approx(-14.0, abs=0.1)
    assert true_peak_dbtp(written.T) <= -0.9 and report.true_peak_dbtp <= -0.9
    assert report.loudness_range_lu == pytest.approx(loudness_range(written.T, RATE), abs=0.2)
    meter = LoudnessMeter(RATE)
    for start in range(0, audio.shape[1], 12345):
        meter.feed(audio[:, start : start + 12345])
    assert meter.integrated() == pytest.approx(integrated_loudness(audio, RATE), abs=1e-6)
    assert meter.true_peak_dbtp() == pytest.approx(true_peak_dbtp(audio), abs=1e-6)


def test_the_true_envelope_oversamples_only_where_a_peak_could_reach_the_floor() -> None:
    from scipy.signal import resample_poly

    from cuecraft.render.loudness import OVERSAMPLING, TRUE_PEAK_CHUNK, true_envelope

    rate = 48000
    t = np.arange(3 * rate) / rate
    audio = np.stack([0.05 * np.sin(2 * np.pi * 997 * t), 0.05 * np.sin(2 * np.pi * 1499 * t)])
    audio[:, rate : rate + 3000] *= 16.0  # one loud stretch of 0.8 inside chunks of quiet
    full = np.abs(resample_poly(audio, OVERSAMPLING, 1, axis=-1)).max(axis=0).reshape(-1, OVERSAMPLING).max(axis=1)
    envelope = true_envelope(audio, 0.5)
    loud = np.zeros(audio.shape[1], bool)
    loud[rate // TRUE_PEAK_CHUNK * TRUE_PEAK_CHUNK : (rate + 3000) // TRUE_PEAK_CHUNK * TRUE_PEAK_CHUNK + TRUE_PEAK_CHUNK] = True
    assert np.allclose(envelope[loud], full[loud], atol=1e-9)  # oversampled exactly as the whole would be
    assert np.array_equal(envelope[~loud], np.abs(audio).max(axis=0)[~loud])  # the samples themselves: far under the floor
    assert envelope.max() == pytest.approx(full.max(), abs=1e-9) and full.max() > np.abs(audio).max()


def test_laid_in_sound_is_limited_where_it_passes_the_ceiling_and_nowhere_else() -> None:
    """Score and production sound summed past full scale across a block join: the limiter holds that
    moment under the ceiling, block by block as one pass over the whole would, and leaves the rest bit for bit."""
    from cuecraft.render.loudness import LIMITER_MARGIN_DB, peak_gain
    from cuecraft.render.mux import limited

    rate, block = 48000, 48000
    t = np.arange(5 * rate) / rate
    audio = np.stack([0.3 * np.sin(2 * np.pi * 220 * t), 0.3 * np.sin(2 * np.pi * 330 * t)]).astype(np.float32)
    audio[:, int(1.8 * rate) : int(2.3 * rate)] *= 4.0  # a burst to 1.2 (+1.6 dBFS), across the join at 2 s
    out = np.concatenate(list(limited((audio[:, i : i + block] for i in range(0, audio.shape[1], block)), rate, -1.0)), axis=1)
    assert out.shape == audio.shape and true_peak_dbtp(out) <= -1.0 + 0.05
    whole = audio * peak_gain(audio, rate, -1.0 - LIMITER_MARGIN_DB)
    assert np.max(np.abs(out - whole)) < 1e-6  # the joins change nothing
    untouched = np.r_[0 : int(1.7 * rate), int(2.4 * rate) : audio.shape[1]]
    assert np.array_equal(out[:, untouched], audio[:, untouched])
