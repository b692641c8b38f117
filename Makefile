# geodata — the two commands are `make run` and `make test`.
SHELL := /bin/bash
GO    ?= go
BIN   := bin/geodata
DATA  ?= .geodata
VENDOR := web/static/vendor

.PHONY: run test deps web build bench soak vet clean db-down

## run: install what is missing, provision PostGIS, import the sample data, serve on 127.0.0.1:8080
run: build
	$(BIN) db up
	$(BIN) migrate
	$(BIN) sample --out $(DATA)/sample
	$(BIN) import --manifest $(DATA)/sample/manifest.json --quiet
	$(BIN) serve

## test: install what is missing, provision PostGIS, run every test (Go, PostGIS, GDAL, browser)
test: build
	$(BIN) db up
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 40m ./...

deps:
	@scripts/deps.sh

web: $(VENDOR)/maplibre-gl-csp.js

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error

$(VENDOR)/maplibre-gl-csp.js: web/node_modules/.package-lock.json
	mkdir -p $(VENDOR)
	cp web/node_modules/maplibre-gl/dist/maplibre-gl-csp.js web/node_modules/maplibre-gl/dist/maplibre-gl-csp-worker.js \
	   web/node_modules/maplibre-gl/dist/maplibre-gl.css web/node_modules/maplibre-gl/LICENSE.txt $(VENDOR)/
	touch $@

build: deps web
	$(GO) build -o $(BIN) ./cmd/geodata

## bench: the load benchmark — its own database (geodata_bench) and port (18080), 1,000,000 points; results in bench/out/
bench: build
	bench/run.sh

## soak: RSS of the server under the bench workloads for 5 minutes (after make bench); curve in bench/out/soak-rss.tsv
soak: build
	bench/soak.sh

vet:
	$(GO) vet ./...

db-down:
	$(BIN) db down

clean:
	rm -rf bin $(VENDOR) web/node_modules
