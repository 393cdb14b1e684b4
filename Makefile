# SPDX-License-Identifier: GPL-2.0
#
# Unimem RDMA paravirtualization: out-of-tree kernel modules.
#
#   make            build every module against $(KDIR)
#   make check      build checks + KUnit + kselftests in VMs (see README)
#   make demo       boot a VM, move data natively and from a guest
#   make bench      benchmarks (guest against native, one run)
#
# Every target above first runs tools/testing/vm/deps.sh, which installs what
# is missing (apt) and caches downloads and built artefacts in $(CACHE).
#
#   make install    modules (for $(KVER), then depmod), uAPI headers, the
#                   udev rule (and the cdma group), the guest's modprobe.d
#                   file (Documentation/admin-guide.rst, "Device
#                   identity"), libcdma and the tools
#   make uninstall  remove what make install installed
#   make dkms-source  the module sources DKMS builds, in $(DKMS_SOURCE)
#   make dkms-install dkms-source, then dkms add and dkms install for $(KVER),
#                   and the modprobe.d file
#   make dkms-uninstall  dkms remove --all, then remove $(DKMS_SOURCE) and
#                   the modprobe.d file
#
# These need no deps.sh, only kernel headers (and dkms for the dkms-*
# targets).  DESTDIR stages the files under a directory (packaging: no
# depmod, group or udev reload then); PREFIX (/usr/local) is where headers,
# the library and the tools go.  README, "Installing".

ifneq ($(words $(abspath $(dir $(lastword $(MAKEFILE_LIST))))),1)
# Kbuild (M=) and make's own rules cannot take a directory with blanks in
# its name: run the same goals from a blank-free symbolic link to it.
ALIAS_DIR ?= $(HOME)/.cache/unimem-rdma-aliases
ALIAS := $(ALIAS_DIR)/$(shell printf '%s' "$(CURDIR)" | sha256sum | cut -c1-16)
.PHONY: $(or $(MAKECMDGOALS),all)
$(or $(MAKECMDGOALS),all):
	@mkdir -p $(ALIAS_DIR) && ln -sfn "$(CURDIR)" $(ALIAS)
	@echo "make: working from $(ALIAS) (a link to \"$(CURDIR)\")"
	@$(MAKE) --no-print-directory -C $(ALIAS) -f $(ALIAS)/Makefile \
		$(MAKECMDGOALS)
else

PROJECT_DIR := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
# Sub-makes get -f with an absolute path: their Makefiles find their
# directory from it (make's CURDIR would be the link's target).
SELFTESTS_DIR := $(PROJECT_DIR)/tools/testing/selftests/cdma
TOOLS_DIR := $(PROJECT_DIR)/tools/cdma
CACHE ?= $(if $(XDG_CACHE_HOME),$(XDG_CACHE_HOME),$(HOME)/.cache)/unimem-rdma
KSERIES ?= 6.12
# Newest installed Debian headers of the series; deps.sh installs them.
KVER ?= $(shell ls -1d /usr/src/linux-headers-$(KSERIES).*-amd64 2>/dev/null | \
	  sed 's|.*/linux-headers-||' | sort -V | tail -n 1)
KDIR ?= /usr/src/linux-headers-$(KVER)

# auto, kvm, tcg or icount: the VMs' accelerator (README, tools/testing/vm/run-vm.sh).
ACCEL ?= auto

export CACHE KSERIES ACCEL

.PHONY: all modules deps clean check demo bench selftests tools \
	install uninstall install-modules install-headers install-udev \
	install-modprobe \
	install-userspace uninstall-userspace dkms-source dkms-install \
	dkms-uninstall

all: modules

deps:
	@$(PROJECT_DIR)/tools/testing/vm/deps.sh

modules: deps
	$(MAKE) -C $(KDIR) M=$(PROJECT_DIR) modules

selftests:
	$(MAKE) -C $(SELFTESTS_DIR) -f $(SELFTESTS_DIR)/Makefile

tools:
	$(MAKE) -C $(TOOLS_DIR) -f $(TOOLS_DIR)/Makefile

clean:
	-$(MAKE) -C $(KDIR) M=$(PROJECT_DIR) clean
	-$(MAKE) -C $(SELFTESTS_DIR) -f $(SELFTESTS_DIR)/Makefile clean
	-$(MAKE) -C $(TOOLS_DIR) -f $(TOOLS_DIR)/Makefile clean

check: deps
	@$(PROJECT_DIR)/tools/testing/check.sh

demo: deps
	@$(PROJECT_DIR)/tools/testing/demo.sh

bench: deps
	@$(PROJECT_DIR)/tools/testing/bench.sh

# --- installation ------------------------------------------------------------

VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' \
	     $(PROJECT_DIR)/dkms.conf)
DKMS_NAME := $(shell sed -n 's/^PACKAGE_NAME="\(.*\)"$$/\1/p' \
	       $(PROJECT_DIR)/dkms.conf)
DESTDIR ?=
PREFIX ?= /usr/local
# Under /lib/modules/$(KVER)/ (updates/ takes precedence over the kernel's
# own modules in depmod's default search order).
INSTALL_MOD_DIR ?= updates/$(DKMS_NAME)
UDEV_RULES_DIR ?= /lib/udev/rules.d
UDEV_RULES := tools/udev/60-cdma.rules
# The guest's module choice for the device ID a stock VMM presents.
MODPROBE_CONF := tools/modprobe.d/virtio_rdma_remote.conf
MODPROBE_DIR ?= /etc/modprobe.d
# Owner group of /dev/cdma* (UDEV_RULES); a system group.
CDMA_GROUP := cdma
UAPI_HEADERS := cdma.h virtio_rdma_remote.h
DKMS_SOURCE ?= /usr/src/$(DKMS_NAME)-$(VERSION)
# The dkms command (options such as --dkmstree may follow).
DKMS ?= dkms
# User-space parts, in build order.  Each directory's Makefile has an
# "install" target that honours DESTDIR and PREFIX; make uninstall removes
# the files it installs (listed by an install into a scratch directory).
USERSPACE_DIRS := tools/lib/cdma tools/cdma
# The uAPI headers are installed here, not by libcdma.
USERSPACE_MAKEFLAGS := PREFIX=$(PREFIX) INSTALL_UAPI=0

install: install-modules install-headers install-udev install-modprobe \
	install-userspace

# CONFIG_MODULE_SIG_ALL= : Kbuild cannot sign with the distribution's key
# (not shipped); DKMS signs with a machine owner key instead.  Debian's
# headers have no System.map, so Kbuild skips depmod with a warning: it runs
# here.
install-modules:
	$(MAKE) -C $(KDIR) M=$(PROJECT_DIR) modules
	$(MAKE) -C $(KDIR) M=$(PROJECT_DIR) INSTALL_MOD_PATH=$(DESTDIR) \
		INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) CONFIG_MODULE_SIG_ALL= \
		modules_install
ifeq ($(DESTDIR),)
	depmod -a $(KVER)
endif

install-headers:
	install -d $(DESTDIR)$(PREFIX)/include/linux
	install -m 644 $(addprefix $(PROJECT_DIR)/include/uapi/linux/, \
		$(UAPI_HEADERS)) $(DESTDIR)$(PREFIX)/include/linux/

install-udev:
	install -D -m 644 $(PROJECT_DIR)/$(UDEV_RULES) \
		$(DESTDIR)$(UDEV_RULES_DIR)/$(notdir $(UDEV_RULES))
ifeq ($(DESTDIR),)
	getent group $(CDMA_GROUP) >/dev/null || groupadd --system $(CDMA_GROUP)
	-udevadm control --reload-rules 2>/dev/null && \
		udevadm trigger --subsystem-match=misc --action=change 2>/dev/null
endif

install-modprobe:
	install -D -m 644 $(PROJECT_DIR)/$(MODPROBE_CONF) \
		$(DESTDIR)$(MODPROBE_DIR)/$(notdir $(MODPROBE_CONF))

install-userspace:
	set -e; for d in $(USERSPACE_DIRS); do \
		$(MAKE) -C $(PROJECT_DIR)/$$d -f $(PROJECT_DIR)/$$d/Makefile \
			$(USERSPACE_MAKEFLAGS) \
			DESTDIR=$(DESTDIR) install; \
	done

# The group stays (files elsewhere may belong to it): groupdel cdma.
uninstall: uninstall-userspace
	rm -rf $(DESTDIR)/lib/modules/$(KVER)/$(INSTALL_MOD_DIR)
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/include/linux/,$(UAPI_HEADERS))
	rm -f $(DESTDIR)$(UDEV_RULES_DIR)/$(notdir $(UDEV_RULES))
	rm -f $(DESTDIR)$(MODPROBE_DIR)/$(notdir $(MODPROBE_CONF))
ifeq ($(DESTDIR),)
	depmod -a $(KVER)
	-udevadm control --reload-rules 2>/dev/null
endif

uninstall-userspace:
	set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	for d in $(USERSPACE_DIRS); do \
		$(MAKE) -s -C $(PROJECT_DIR)/$$d -f $(PROJECT_DIR)/$$d/Makefile \
			$(USERSPACE_MAKEFLAGS) \
			DESTDIR=$$tmp install >/dev/null; \
	done; \
	(cd "$$tmp" && find . ! -type d) | while read -r f; do \
		echo "rm -f $(DESTDIR)/$${f#./}"; rm -f "$(DESTDIR)/$${f#./}"; \
	done

DKMS_FILES = dkms.conf Kbuild README $(shell cd $(PROJECT_DIR) && \
	find drivers include -type f \( -name '*.[ch]' -o -name Kbuild \) \
	! -name '*.mod.c' | sort)

dkms-source:
	rm -rf $(DESTDIR)$(DKMS_SOURCE)
	cd $(PROJECT_DIR) && for f in $(DKMS_FILES); do \
		install -D -m 644 $$f $(DESTDIR)$(DKMS_SOURCE)/$$f || exit; \
	done

# build --force: the sources may have changed since an earlier build.
dkms-install: dkms-source
	$(DKMS) status -m $(DKMS_NAME) -v $(VERSION) | grep -q . || \
		$(DKMS) add -m $(DKMS_NAME) -v $(VERSION)
	$(DKMS) build -m $(DKMS_NAME) -v $(VERSION) -k $(KVER) --force
	$(DKMS) install -m $(DKMS_NAME) -v $(VERSION) -k $(KVER) --force
	$(MAKE) -f $(PROJECT_DIR)/Makefile install-modprobe

dkms-uninstall:
	-$(DKMS) remove -m $(DKMS_NAME) -v $(VERSION) --all
	rm -rf $(DKMS_SOURCE)
	rm -f $(DESTDIR)$(MODPROBE_DIR)/$(notdir $(MODPROBE_CONF))

endif # a directory without blanks
