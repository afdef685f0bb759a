#!/usr/bin/env bash
# A user's app, outside this repository, the way the README's "Use it in your app" says to write it: the packed
# tarball (`npm pack`, not a link) and its peers installed with npm into a fresh folder, synthesized by the real
# `cdk8s synth` with the validation plugin, which fails on any finding. Needs the compiled lib/ (run after compile).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
version_of() { node -p "require('$root/node_modules/$1/package.json').version"; }

tarball="$(cd "$root" && npm pack --silent --pack-destination "$work" | tail -n 1)"
version="$(node -p "require('$root/package.json').version")"
cp "$root/examples/consumer/main.ts" "$work/"
sed "s/VERSION/$version/" "$root/examples/consumer/cdk8s.yaml" > "$work/cdk8s.yaml"
cd "$work"
cat > package.json <<JSON
{ "name": "consumer-app", "version": "1.0.0", "private": true }
JSON
# The versions this repository builds and tests with, so the check is about the package, not about the registry.
npm install --no-audit --no-fund --prefer-offline --loglevel=error "./$tarball" \
  "cdk8s@$(version_of cdk8s)" "cdk8s-plus-28@$(version_of cdk8s-plus-28)" "constructs@$(version_of constructs)"
npm install --no-audit --no-fund --prefer-offline --loglevel=error --save-dev \
  "cdk8s-cli@$(version_of cdk8s-cli)" "ts-node@$(version_of ts-node)" "typescript@$(version_of typescript)" "@types/node@$(version_of @types/node)"
cat > tsconfig.json <<JSON
{ "compilerOptions": { "target": "ES2022", "module": "commonjs", "strict": true, "esModuleInterop": true, "skipLibCheck": true } }
JSON

npx cdk8s synth --no-check-upgrade
# What the README's deploy command applies: the manifests, not the CLI's construct-metadata.json beside them.
manifests=(dist/*.k8s.yaml)
echo "consumer app: ${#manifests[@]} manifest files synthesized from $tarball with zero validator findings: ${manifests[*]}"
