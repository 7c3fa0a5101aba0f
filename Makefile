# zhnews — the README's two commands are `make serve` and `make test`.
PYTHON   ?= python3
VENV     ?= .venv
BIN      := $(VENV)/bin
ARTICLES ?= sample
DB       ?= news.db
PORT     ?= 8001
HOST     ?= 127.0.0.1
CORPUS   ?= ../shared/corpus
WORKERS  ?= $(shell nproc 2>/dev/null || echo 1)
PUBLIC   ?=
# Extra build_db.py flags, e.g. BUILD_FLAGS="--git-history --paths articles/" for a clone of the archive.
BUILD_FLAGS ?=

.PHONY: install test lint serve build bench clean

# The stamp is rebuilt whenever the pinned dependencies change.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

lint: install
	$(BIN)/ruff check zhnews plugins tests benchmarks build_db.py

test: install lint
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache

# ---- bench: benchmarks at archive scale (see benchmarks/README.md); writes benchmarks/RESULTS.md ----
# N: archive sizes in order (`make bench N=10000` for a quick run); BENCH_STAGES: a subset of the stages.
N            ?= 60000 500000
BENCH_STAGES ?= corpus,parse,parse2,insert,insertseg,build1,build,noop,change,size,http,load,history

bench: install
	$(BIN)/python -m benchmarks.run $(addprefix -n ,$(N)) --stages $(BENCH_STAGES) --source $(CORPUS)

# ---- serve: the Datasette app (metadata.yml, plugins/, templates/, static/) ----
.PHONY: serve-flags serve-settings serve-db-name
# Public settings: bounded query time, bounded pages, facets that give up rather than stall the page,
# no facet suggestions (one query per column on every table page), no download of the whole database;
# CSV exports unbounded (max_csv_mb 0): `_stream=on` must deliver ALL rows of a result, and it streams.
SETTINGS    := --setting sql_time_limit_ms 3000 --setting max_returned_rows 1000 \
               --setting facet_time_limit_ms 500 --setting suggest_facets off --setting allow_download off \
               --setting default_facet_size 10 --setting truncate_cells_html 200 --setting max_csv_mb 0
SERVE_FLAGS := --metadata metadata.yml --plugins-dir plugins --template-dir templates --static static:static \
               $(SETTINGS)
# Table counts computed once per database file (datasette inspect), redone only when the file changed.
INSPECT     := $(DB)-inspect.json

build: install
	$(BIN)/python build_db.py $(ARTICLES) --db $(DB) $(BUILD_FLAGS)

# Immutable (-i): the build replaces news.db by renaming a new file over it, so the served file never
# changes in place; restart `make serve` to see a rebuild. zhnews.app.serve runs WORKERS gunicorn workers
# (default: the cores), each a Datasette app built from exactly these `datasette serve` flags. PUBLIC=1: the public
# configuration, no arbitrary SQL (docs/security.md).
serve: serve-db-name build
	[ $(INSPECT) -nt $(DB) ] || $(BIN)/datasette inspect $(DB) --inspect-file $(INSPECT)
	$(BIN)/python -m zhnews.app.serve --workers $(WORKERS) $(if $(filter 1,$(PUBLIC)),--public) \
	    -i $(DB) --inspect-file $(INSPECT) $(SERVE_FLAGS) --host $(HOST) --port $(PORT)

serve-db-name:
	@[ "$(notdir $(DB))" = news.db ] || { echo "DB must be a file named news.db: metadata.yml and the \
	templates configure the database 'news' (e.g. DB=/data/zhnews/news.db)"; exit 2; }

# The flags above, for tests and `datasette publish` (see README).
serve-flags:
	@echo $(SERVE_FLAGS)

serve-settings:
	@echo $(SETTINGS)
