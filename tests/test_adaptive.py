"""Adaptive game package: sample-exact seamless loops, layers that add up, bar-quantised segments, the web player."""

from __future__ import annotations

import functools
import http.server
import json
import threading
from pathlib import Path

import numpy as np
import pytest
import soundfile

from cuecraft.deliver.adaptive import AdaptiveManifest, export_adaptive
from cuecraft.errors import CuecraftError
from cuecraft.scoring import ScoreResult
from tests.browser import chromium


@pytest.fixture(scope="module")
def package(scored: ScoreResult, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, AdaptiveManifest]:
    longest = max((c for c in scored.project.cues if c.music), key=lambda c: c.n_frames * c.settings.tempo)
    out = tmp_path_factory.mktemp("adaptive") / longest.id
    return out, export_adaptive(scored.outdir, longest.id, out)


def read(path: Path) -> np.ndarray:
    audio, rate = soundfile.read(path, always_2d=True)
    assert rate == 48000
    return audio.T


def test_layers_loop_sample_exactly_and_sum_to_the_full_loop(package: tuple[Path, AdaptiveManifest]) -> None:
    out, manifest = package
    assert manifest.loop_bars in (2, 4, 8, 16)
    assert manifest.loop_samples == round(manifest.loop_bars * manifest.bar_samples)
    assert manifest.bar_samples == pytest.approx(manifest.beats_per_bar * 60 / manifest.tempo * 48000)
    layers = [read(out / layer.file) for layer in manifest.layers]
    assert len(layers) >= 2 and all(a.shape[1] == manifest.loop_samples for a in layers)
    assert [layer.intensity_from for layer in manifest.layers] == sorted(layer.intensity_from for layer in manifest.layers)
    full = np.concatenate([read(out / s.file) for s in manifest.segments], axis=1)
    assert full.shape[1] == manifest.loop_samples
    assert np.max(np.abs(sum(layers) - full)) < 1e-3  # the layers are the loop, split


def test_the_loop_seam_does_not_click(package: tuple[Path, AdaptiveManifest]) -> None:
    out, manifest = package
    for layer in manifest.layers:
        audio = read(out / layer.file)
        if np.max(np.abs(audio)) < 1e-4:
            continue
        step = np.abs(audio[:, 0] - audio[:, -1]).max()  # what the seam adds when the loop repeats
        typical = np.percentile(np.abs(np.diff(audio, axis=1)), 99.9)
        assert step <= 3 * typical + 1e-4, layer.name


def test_segments_cut_at_bar_lines_with_transition_points_every_bar(package: tuple[Path, AdaptiveManifest]) -> None:
    out, manifest = package
    a, b = manifest.segments
    assert a.start_bar == 0 and b.start_bar == a.bars and a.bars + b.bars == manifest.loop_bars
    for segment in manifest.segments:
        assert soundfile.info(out / segment.file).frames == segment.samples
        assert segment.transition_points == [round(i * manifest.bar_samples) for i in range(segment.bars)]
    for stinger in manifest.stingers:
        assert soundfile.info(out / stinger.file).frames == stinger.samples
    assert json.loads((out / "manifest.json").read_text())["loop_samples"] == manifest.loop_samples


def test_an_unknown_cue_is_refused(scored: ScoreResult, tmp_path: Path) -> None:
    with pytest.raises(CuecraftError, match="no cue '9M9'"):
        export_adaptive(scored.outdir, "9M9", tmp_path / "x")


def test_the_web_player_fades_layers_in_with_the_intensity_slider(package: tuple[Path, AdaptiveManifest]) -> None:
    out, manifest = package
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with chromium() as page:
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/index.html")
            page.wait_for_function("() => window.adaptive && window.adaptive.ready", timeout=30000)
            lengths = page.evaluate("() => Object.values(adaptive.buffers).map((b) => b.length)")
            assert manifest.loop_samples in lengths
            page.evaluate("() => adaptive.start()")
            names = [layer.name for layer in manifest.layers]
            for intensity, audible in ((0.0, names[:1]), (1.0, names)):
                page.locator("#intensity").fill(str(intensity))
                page.wait_for_function(  # the fade takes a moment; a loaded machine may take longer
                    "([names, audible]) => { const g = adaptive.currentGains(); return names.every((n) => (g[n] > 0.5) === audible.includes(n)); }",
                    arg=[names, audible],
                    timeout=10000,
                )
            assert page.evaluate("() => adaptive.context.state") == "running"
    finally:
        server.shutdown()
