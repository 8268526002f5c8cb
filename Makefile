# make demo: install everything and score the bundled Sintel trailer.   make test: install and run the tests.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
CUECRAFT := $(VENV)/bin/cuecraft
STAMP  := $(VENV)/.installed
DATA   ?= ../shared/data
MODEL  := models/baseline.npz
FILM   := examples/film.mp4

.PHONY: install system-deps demo test bench model pack model-gpu clean

install: system-deps $(STAMP)

system-deps:
	@bash scripts/install-system-deps.sh

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --no-deps -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

$(MODEL): | $(STAMP)
	$(CUECRAFT) train-baseline $(DATA)/vgmidi -o $(MODEL)

SHIPPED := src/cuecraft/model/assets/cue-transformer.pt

# The shipped models: the harmony model (chord successions, under a minute), the drum grooves (two
# minutes) and the chord-conditioned
# transformer (POP909 + VGMIDI + VGMusic, held-out games kept out). `make model` trains the transformer
# on this machine's CPUs, going on from the shipped weights (80 minutes a call, resumable: run it again
# to go on). The shipped weights were trained on a GPU from a token pack (`make pack`, then the
# scripts/train_pack.py command in MODEL_CARD.md), which needs torch and NumPy alone.
HARMONY := src/cuecraft/model/assets/harmony.json
PACK := models/pack.npz
GPU_CONFIG := '{"context": 640, "d_model": 192, "d_ff": 768, "batch_size": 64, "learning_rate": 0.001, "warmup_steps": 300, "eval_every": 250, "patience": 8}'

model: install
	$(CUECRAFT) train-harmony --data $(DATA) -o $(HARMONY) --cache models/transformer/corpora.pkl
	$(CUECRAFT) train-grooves --data $(DATA) -o src/cuecraft/model/assets/grooves.json
	$(CUECRAFT) train-emotion-profile --data $(DATA) -o src/cuecraft/model/assets/emotion_profile.json --cache models/transformer/corpora.pkl
	$(CUECRAFT) index-originality --data $(DATA) -o src/cuecraft/model/assets/originality.npz --cache models/transformer/corpora.pkl
	$(CUECRAFT) train --data $(DATA) --out models/transformer --init-from $(SHIPPED) --max-minutes 80 --max-steps 3500
	cp models/transformer/model.pt $(SHIPPED)
	cp models/transformer/loss.png docs/loss.png

# The tokenized training set (pseudo-labels included) for a machine without the corpora or MidiTok.
pack: install
	$(CUECRAFT) train --data $(DATA) --out models/transformer --pack-out $(PACK)

# On a GPU machine (torch and NumPy suffice): make pack here, carry models/pack.npz and the tree there.
model-gpu:
	python3 scripts/train_pack.py $(PACK) --out models/gpu --device cuda --minutes 6.4 --config $(GPU_CONFIG)

$(FILM): | $(STAMP)
	$(PY) examples/make_example_film.py $(FILM)

DEMO_FILM := examples/sintel_trailer.mp4

demo: install
	$(CUECRAFT) score $(DEMO_FILM) --subtitles examples/sintel_trailer.srt -o out/demo

test: install
	$(PY) -m pytest

bench: install $(MODEL) $(FILM)
	$(PY) bench/run_all.py --film $(FILM) --corpus $(DATA)/vgmusic/midi
	$(PY) bench/listening_sheet.py --film $(FILM)
	$(PY) bench/score_speed.py $(FILM)
	$(PY) bench/score_speed.py $(FILM) --model baseline --model-path $(MODEL)
	$(PY) bench/key_accuracy.py
	$(PY) bench/audio_roundtrip.py $(DATA)/vgmidi/labelled_midi
	$(PY) bench/audio_roundtrip.py --pop909 $(DATA)/pop909/songs --pieces 150
	$(PY) bench/transcription_accuracy.py --data $(DATA)
	$(PY) bench/corpus_speed.py $(DATA)/vgmusic/midi
	$(PY) bench/music_quality.py --data $(DATA) --baseline $(MODEL) --old-commit 8318e94
	$(PY) bench/instrumentation.py --data $(DATA)
	$(PY) bench/originality.py --data $(DATA)
	$(PY) bench/groove_quality.py --data $(DATA) --old-commit 9d57188
	$(PY) bench/analysis_accuracy.py --data $(DATA)
	$(PY) bench/seam_eval.py
	$(PY) bench/sound.py --film $(FILM)
	$(PY) bench/sintel_sheet.py --film $(DEMO_FILM)

clean:
	rm -rf out .pytest_cache
