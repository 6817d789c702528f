# SPDX-License-Identifier: GPL-2.0
# bpf: tail calls in BPF subprograms -- the workspace.
# See README.md. Every target is a small script under scripts/.

SHELL := /bin/bash
S := scripts
KERNEL ?= dev
CMD ?=
# which series 'tree', 'export' and 'send-email' work on: series (series/,
# build/linux), upstream (upstream/series/, build/upstream/linux) or
# upstream-security (upstream/security/, build/upstream/security: private)
SERIES ?= series

.PHONY: all check check-arm64 upstream soak bench deps tree export kernel selftests vm bisect checkpatch send-email clean help

all:		## build the dev tree, boot it, run tailcalls + test_verifier
	@$(S)/main.sh

check:		## the test suite: base and base+series, and Debian's 6.12 with and without upstream/
	@$(S)/check.sh

check-arm64:	## the upstream fix series on arm64 (cross-built, qemu-system-aarch64), after make check
	@$(S)/check-arm64.sh

upstream:	## only the upstream part of make check (Debian's 6.12 with and without upstream/)
	@$(S)/upstream.sh

soak:		## the long checks: debug kernel (KASAN), races, random programs
	@$(S)/soak.sh

bench:		## JIT size, run time, verifier cost: pristine, base, series (docs/benchmarks.md)
	@$(S)/bench.sh

deps:		## install missing packages (as root) and check the pinned source
	@$(S)/deps.sh

tree:		## assemble build/linux: pristine, base/patches (tag base), series/ (SERIES=upstream: build/upstream/linux)
	@$(S)/tree.sh $(SERIES)

export:		## write the commits after tag 'base' in build/linux to series/ (SERIES=upstream: to upstream/series/)
	@$(S)/export.sh $(SERIES)

kernel:		## build build/linux into build/obj (incremental)
	@. $(S)/lib.sh && stage kernel $(S)/build-kernel.sh $$B/linux $$B/obj dev

selftests:	## build the selftests of build/linux against build/obj
	@. $(S)/lib.sh && stage selftests $(S)/build-selftests.sh $$B/linux $$B/obj

vm:		## boot build/kernels/$(KERNEL); run CMD in the guest, or a shell
	@$(S)/vm.sh build/kernels/$(KERNEL) build/results/vm $(if $(CMD),bash -c '$(CMD)')

bisect:		## build and boot every step of series/ (SERIES=upstream: upstream/series/ + upstream/security/; BISECT_FROM=N, BISECT_TO=M: patches N to M)
	@$(S)/bisect.sh $(SERIES)

checkpatch:	## checkpatch --strict --codespell --git on the commits of every series
	@$(S)/checkpatch.sh

send-email:	## git am + git send-email --dry-run of series/ (SERIES=upstream: upstream/series/)
	@$(S)/send-email.sh $(SERIES)

clean:		## remove build/ unless build/linux has unexported work (FORCE=1: anyway)
	@$(S)/clean.sh

help:
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:[^#]*## */\t/'
