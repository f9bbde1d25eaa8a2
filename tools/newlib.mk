# SPDX-License-Identifier: MIT
# newlib for PV guests (issue 4): include/ and lib/{libc,libm}.a in
# $(NEWLIB), built by tools/mknewlib.sh from Debian's newlib-source and kept
# in NEWLIB_CACHE under a hash of its inputs, so a rebuild is a copy. dpkg's
# file list for the package changes when it is installed or upgraded.
NEWLIB_CACHE ?= $(B)/newlib-cache
NEWLIB := $(B)/newlib

$(NEWLIB)/lib/libc.a: tools/mknewlib.sh $(wildcard /var/lib/dpkg/info/newlib-source.list)
	@echo "  NEWLIB  $(NEWLIB)"
	$(Q)KEEL_NEWLIB_CACHE=$(NEWLIB_CACHE) tools/mknewlib.sh $(NEWLIB)

newlib: $(NEWLIB)/lib/libc.a

.PHONY: newlib
