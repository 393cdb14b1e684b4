# SPDX-License-Identifier: GPL-2.0
#
# Unimem RDMA paravirtualization: out-of-tree kernel modules.
#
#   make            build every module against $(KDIR)
#   make check      build checks + KUnit + kselftests in VMs (see README)
#   make demo       boot a VM, move data natively and from a guest
#   make bench      benchmarks (guest against native, one run)
#
# Every target first runs tools/testing/vm/deps.sh, which installs what is
# missing (apt) and caches downloads and built artefacts in $(CACHE).

PROJECT_DIR := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
CACHE ?= $(if $(XDG_CACHE_HOME),$(XDG_CACHE_HOME),$(HOME)/.cache)/unimem-rdma
KSERIES ?= 6.12
# Newest installed Debian headers of the series; deps.sh installs them.
KVER ?= $(shell ls -1d /usr/src/linux-headers-$(KSERIES).*-amd64 2>/dev/null | \
	  sed 's|.*/linux-headers-||' | sort -V | tail -n 1)
KDIR ?= /usr/src/linux-headers-$(KVER)

export CACHE KSERIES

.PHONY: all modules deps clean check demo bench selftests tools

all: modules

deps:
	@$(PROJECT_DIR)/tools/testing/vm/deps.sh

modules: deps
	$(MAKE) -C $(KDIR) M=$(PROJECT_DIR) modules

selftests:
	$(MAKE) -C $(PROJECT_DIR)/tools/testing/selftests/cdma

tools:
	$(MAKE) -C $(PROJECT_DIR)/tools/cdma

clean:
	-$(MAKE) -C $(KDIR) M=$(PROJECT_DIR) clean
	-$(MAKE) -C $(PROJECT_DIR)/tools/testing/selftests/cdma clean
	-$(MAKE) -C $(PROJECT_DIR)/tools/cdma clean

check: deps
	@$(PROJECT_DIR)/tools/testing/check.sh

demo: deps
	@$(PROJECT_DIR)/tools/testing/demo.sh

bench: deps
	@$(PROJECT_DIR)/tools/testing/bench.sh
