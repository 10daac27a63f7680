# plugfs — build, test, demo. `make help` lists the targets.

GO        ?= go
BIN       := bin
PLUGFS    := $(BIN)/plugfs
GOFLAGS   ?=
PROTOC_GEN_GO_VERSION      := v1.36.12
PROTOC_GEN_GO_GRPC_VERSION := v1.6.2
TEST_TIMEOUT ?= 20m

# Packages whose tests run as Windows binaries under Wine (test-windows).
WINE_PKGS := ./sdk/ ./core/mountpoint/ ./core/pathfs/ ./core/pointwatch/ ./platform/cgofuse/ ./platform/controlsock/ ./platform/runstate/ ./platform/windows/... ./platform/winsvc/
# cmd/plugfs tests run under Wine: the Windows service commands, the daemon on its named pipe and the agent (its other tests need Linux).
WINE_CMD_TESTS := ^(TestWindowsServiceCommands|TestServiceControls|TestLogToEventLog|TestDaemonNamedPipe|TestDaemonPipeReader|TestAgentAnnouncesForReal|TestAgentRunValue)$$

.PHONY: all help build deps test test-go test-cgofuse test-windows vet fmt-check cross demo proto proto-control examples clean bench

all: build

help:
	@echo "make demo   - mount the built-in memfs in the background, use it, unmount (needs root or fuse access)"
	@echo "make test   - install what tests need (fuse3), vet, and run every test through real mounts"
	@echo "make build  - build bin/plugfs and the example plugins"
	@echo "make proto  - regenerate sdk/proto/fsv1 from filesystem.proto"
	@echo "make proto-control - regenerate core/daemon/controlv1 from control.proto"
	@echo "make test-cgofuse - run the mount suite through the cgofuse driver on libfuse3 (installs libfuse3-dev)"
	@echo "make test-windows - run the Windows test binaries under Wine (installs wine64, mingw-w64)"
	@echo "make bench  - benchmark plugfs against tmpfs, go-fuse loopback, rclone, sshfs (root; see docs/benchmarks.md)"

build: $(PLUGFS) examples

$(PLUGFS): FORCE
	$(GO) build -o $(PLUGFS) ./cmd/plugfs

examples:
	$(GO) build -o $(BIN)/hello ./examples/hello

FORCE:

# deps installs what mounting needs on Debian: fuse3 (fusermount3, /dev/fuse
# helper). As root it uses apt-get; otherwise it says what to run.
deps:
	@scripts/ensure-deps.sh

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '\.pb\.go$$')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

# cross checks that every package builds for the other platforms (what
# builds without cgo; Windows and macOS are compiled here, not executed).
cross:
	GOOS=windows GOARCH=amd64 $(GO) build ./...
	GOOS=darwin GOARCH=arm64 $(GO) build ./...
	GOOS=windows GOARCH=amd64 $(GO) vet ./sdk/... ./core/... ./platform/cgofuse/ ./cmd/plugfs/
	GOOS=darwin GOARCH=arm64 $(GO) vet ./cmd/plugfs/

test-go:
	$(GO) test -count=1 -timeout $(TEST_TIMEOUT) ./...

# test-cgofuse runs the cgofuse driver (the adapter WinFsp and macFUSE use)
# over libfuse3's high-level API: cgo, libfuse3-dev, tags cgofuse and fuse3.
test-cgofuse:
	@scripts/ensure-deps.sh --cgofuse
	CGO_ENABLED=1 $(GO) vet -tags cgofuse,fuse3 ./platform/cgofuse/ ./cmd/plugfs/
	CGO_ENABLED=1 $(GO) test -count=1 -timeout $(TEST_TIMEOUT) -tags cgofuse,fuse3 ./platform/cgofuse/

# test-windows runs the Windows test binaries under wine64. Go >= 1.24 needs
# ProcessPrng, which Wine 8 lacks: scripts/wine/setup.sh builds a tiny
# bcryptprimitives.dll with mingw-w64 and puts it in the Wine prefix.
test-windows:
	@scripts/wine/setup.sh >/dev/null
	GOOS=windows GOARCH=amd64 $(GO) test -count=1 -exec $(CURDIR)/scripts/wine/wine-exec.sh $(WINE_PKGS)
	GOOS=windows GOARCH=amd64 $(GO) test -count=1 -exec $(CURDIR)/scripts/wine/wine-exec.sh -run '$(WINE_CMD_TESTS)' ./cmd/plugfs/

test: deps fmt-check vet cross build test-go test-cgofuse test-windows

# bench runs the same workloads against native tmpfs, an in-process go-fuse
# loopback, rclone mount, sshfs and plugfs; knobs and columns in docs/benchmarks.md.
bench:
	@scripts/bench/run.sh

demo: deps $(PLUGFS)
	@scripts/demo.sh $(PLUGFS)

proto:
	@command -v protoc >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y protobuf-compiler; } || { echo "install protoc: apt-get install protobuf-compiler"; exit 1; }
	GOBIN=$(CURDIR)/$(BIN)/tools $(GO) install google.golang.org/protobuf/cmd/protoc-gen-go@$(PROTOC_GEN_GO_VERSION)
	GOBIN=$(CURDIR)/$(BIN)/tools $(GO) install google.golang.org/grpc/cmd/protoc-gen-go-grpc@$(PROTOC_GEN_GO_GRPC_VERSION)
	PATH=$(CURDIR)/$(BIN)/tools:$$PATH protoc -I sdk/proto/fsv1 \
		--go_out=sdk/proto/fsv1 --go_opt=paths=source_relative \
		--go-grpc_out=sdk/proto/fsv1 --go-grpc_opt=paths=source_relative \
		sdk/proto/fsv1/filesystem.proto

proto-control:
	@command -v protoc >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y protobuf-compiler; } || { echo "install protoc: apt-get install protobuf-compiler"; exit 1; }
	GOBIN=$(CURDIR)/$(BIN)/tools $(GO) install google.golang.org/protobuf/cmd/protoc-gen-go@$(PROTOC_GEN_GO_VERSION)
	GOBIN=$(CURDIR)/$(BIN)/tools $(GO) install google.golang.org/grpc/cmd/protoc-gen-go-grpc@$(PROTOC_GEN_GO_GRPC_VERSION)
	PATH=$(CURDIR)/$(BIN)/tools:$$PATH protoc -I core/daemon/controlv1 \
		--go_out=core/daemon/controlv1 --go_opt=paths=source_relative \
		--go-grpc_out=core/daemon/controlv1 --go-grpc_opt=paths=source_relative \
		core/daemon/controlv1/control.proto

clean:
	rm -rf $(BIN)
