#!/usr/bin/env bash
# Regenerates banyandb-v1-api.json (next to this script) and the RPC/HTTP route table of docs/api.md from
# BanyanDB's .proto files at one commit of a git mirror of apache/skywalking-banyandb.
#
#   tests/Banyan.Api.Tests/upstream/regenerate.sh [mirror-git-dir] [commit]
#
# Defaults: the mirror at /work/.mirror/apache+skywalking-banyandb/repo and the commit the checked-in snapshot
# was taken at (the snapshot records it under source.commit). protoc and the well-known .proto files come from
# the Grpc.Tools package pinned in Directory.Packages.props (restored by building src/Banyan.Api first).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
mirror="${1:-/work/.mirror/apache+skywalking-banyandb/repo}"
commit="${2:-$(sed -n 's/.*"commit": "\([0-9a-f]*\)".*/\1/p' "$here/banyandb-v1-api.json" | head -1)}"

version="$(sed -n 's/.*PackageVersion Include="Grpc.Tools" Version="\([^"]*\)".*/\1/p' "$repo/Directory.Packages.props")"
packages="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "unsupported machine $(uname -m)" >&2; exit 1 ;;
esac
protoc="$packages/grpc.tools/$version/tools/linux_$arch/protoc"
include="$packages/grpc.tools/$version/build/native/include"
if [ ! -x "$protoc" ]; then
  dotnet restore "$repo/src/Banyan.Api/Banyan.Api.csproj" >/dev/null
fi

dotnet run --project "$here/generator/UpstreamApiGenerator.csproj" -- \
  --mirror "$mirror" --commit "$commit" --protoc "$protoc" --include "$include" \
  --out "$here/banyandb-v1-api.json" --docs "$repo/docs/api.md"
