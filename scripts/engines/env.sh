#!/usr/bin/env bash
# Source me: `source scripts/engines/env.sh`. Puts the engines built by build-all.sh on PATH and sets
# offline-safe Pulumi defaults. Every variable already set by the caller wins, so a test can point
# PULUMI_HOME / PULUMI_BACKEND_URL at its own temp dir before sourcing.
# (No `set -e` here: this file runs inside the caller's shell.)

_engines_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
_engines_cache="${SHOREGUARD_ENGINES_CACHE:-$_engines_root/.cache/engines}"

# pulumi first: the engine finds the pulumi-nodejs dynamic-provider plugin and the nodejs language
# host on PATH (otherwise it tries to download them and fails offline).
export PATH="$_engines_cache/pulumi/bin:$_engines_cache/tofu/bin:$_engines_cache/opa/bin:$PATH"

# The language host and the dynamic-provider plugin run `node` from PATH and @pulumi/pulumi needs
# Node >= 22; reuse with-node.sh's choice (it installs Node 24 into .cache/node when needed).
_engines_node_dir="$(bash "$_engines_root/scripts/with-node.sh" sh -c 'dirname "$(command -v node)"' 2>/dev/null)" &&
  export PATH="$_engines_node_dir:$PATH"

# Isolated Pulumi home (plugins, credentials, workspace settings) instead of ~/.pulumi.
export PULUMI_HOME="${PULUMI_HOME:-$_engines_cache/pulumi/home}"
# Local file state: nothing ever talks to the Pulumi Cloud service. Note: this variable wins over
# `backend.url` in Pulumi.yaml / Automation API projectSettings, so set it per test instead.
export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$_engines_cache/pulumi/state}"
export PULUMI_SKIP_UPDATE_CHECK="${PULUMI_SKIP_UPDATE_CHECK:-true}"
# Fail fast instead of trying to download a missing plugin (there is no internet here).
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION="${PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION:-true}"
# Test-only default passphrase for the passphrase secrets provider of throwaway stacks.
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-shoreguard-iac-test-passphrase}"
# OpenTofu: no checkpoint (version/advisory) calls.
export CHECKPOINT_DISABLE="${CHECKPOINT_DISABLE:-1}"

# The file backend refuses a state dir that does not exist yet.
mkdir -p "$PULUMI_HOME"
case "$PULUMI_BACKEND_URL" in file://*) mkdir -p "${PULUMI_BACKEND_URL#file://}" ;; esac
unset _engines_root _engines_cache _engines_node_dir
