#!/usr/bin/env bash
# Regenerates the build system from configure.ac and Makefile.am.
set -euo pipefail
cd "$(dirname "$0")"
autoreconf --install --force
