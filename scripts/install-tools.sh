#!/usr/bin/env bash
# Builds or restores the real tools the tests use, pinned, into
# ~/.cache/aileron-k8s/ (keyed by version, so only the first run is slow).
# Prints the folder to put on PATH. KUBEBUILDER_ASSETS, when set, supplies
# kube-apiserver and etcd instead of the build.
set -euo pipefail

# The "# renovate:" lines let Renovate (renovate.json) propose bumps of these pins.
# renovate: datasource=go depName=k8s.io/kubernetes extractVersion=^v(?<version>.*)$
K8S_VERSION=1.34.4
# renovate: datasource=go depName=helm.sh/helm/v3
HELM_VERSION=v3.19.0
# renovate: datasource=go depName=github.com/yannh/kubeconform
KUBECONFORM_VERSION=v0.7.0
# kube-linter's module host is not reachable from this workplace's Go proxy;
# kube-score covers the same ground (probes, security context, resources).
# renovate: datasource=go depName=github.com/zegl/kube-score
KUBE_SCORE_VERSION=v1.20.0
# Checks .github/workflows (the release pipeline cannot run here: no registry to push to).
# renovate: datasource=go depName=github.com/rhysd/actionlint
ACTIONLINT_VERSION=v1.7.12
# Simulated nodes and pod lifecycles for the control plane (sigs.k8s.io/kwok, a Kubernetes SIG project).
# renovate: datasource=go depName=sigs.k8s.io/kwok
KWOK_VERSION=v0.8.0
# The Gateway API CRDs (standard channel) the gateway-mode output is applied against. v1.7.0 needs a newer Go.
# renovate: datasource=go depName=sigs.k8s.io/gateway-api
GATEWAY_API_VERSION=v1.6.3
# prometheus-operator's CRDs (ServiceMonitor, PrometheusRule), which the monitoring output is applied against;
# v0.87.0 is refused by this workplace's Go proxy. promtool checks and unit-tests the rendered alerts.
# renovate: datasource=go depName=github.com/prometheus-operator/prometheus-operator
PROMETHEUS_OPERATOR_VERSION=v0.85.0
# renovate: datasource=go depName=github.com/prometheus/prometheus
PROMETHEUS_VERSION=v0.316.0
# The workspace proxy the chart runs (workspaceAuth.image: keep the two equal), and the Keycloak the realm is
# imported into (keycloak.image). Keycloak runs on Java 21+: the Temurin 25 these machines have, else JAVA_HOME.
# renovate: datasource=go depName=github.com/oauth2-proxy/oauth2-proxy/v7
OAUTH2_PROXY_VERSION=v7.15.6
# renovate: datasource=maven depName=org.keycloak:keycloak-quarkus-dist
KEYCLOAK_VERSION=26.5.6
# Cilium's own policy parser and CRDs (test/cilium pins github.com/cilium/cilium).
CILIUM_VERSION=$(sed -n 's/^require github.com\/cilium\/cilium \(v[^ ]*\)$/\1/p' "$(dirname "$0")/../test/cilium/go.mod")

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${AILERON_CACHE:-$HOME/.cache/aileron-k8s}
bin=$cache/bin
mkdir -p "$bin"
export GOFLAGS=-buildvcs=false

log() { printf '[install-tools] %s\n' "$*" >&2; }

go_tool() { # name module version
  local name=$1 module=$2 version=$3 dest=$cache/tools/$1-$3
  if [ ! -x "$dest/$name" ]; then
    log "building $name $version"
    GOBIN=$dest go install "$module@$version"
  fi
  ln -sf "$dest/$name" "$bin/$name"
}

control_plane() {
  local dest=$cache/k8s-$K8S_VERSION
  if [ -n "${KUBEBUILDER_ASSETS:-}" ]; then
    log "using kube-apiserver and etcd from KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS"
    dest=$KUBEBUILDER_ASSETS
  elif [ ! -x "$dest/kube-apiserver" ] || [ ! -x "$dest/etcd" ] || [ ! -x "$dest/kubectl" ] \
    || [ ! -x "$dest/kube-controller-manager" ] || [ ! -x "$dest/kube-scheduler" ]; then
    log "building kube-apiserver, kube-controller-manager, kube-scheduler, etcd and kubectl $K8S_VERSION (first time: about 9 minutes on 2 cores)"
    mkdir -p "$dest"
    local v=k8s.io/component-base/version minor=${K8S_VERSION#*.}
    (cd "$root/test/cluster" && go build -trimpath \
      -ldflags="-s -X $v.gitVersion=v$K8S_VERSION -X $v.gitMajor=1 -X $v.gitMinor=${minor%%.*} -X $v.gitTreeState=clean" \
      -o "$dest/" ./cmd/kube-apiserver ./cmd/kube-controller-manager ./cmd/kube-scheduler ./cmd/etcd ./cmd/kubectl)
  fi
  ln -sf "$dest/kube-apiserver" "$bin/kube-apiserver"
  ln -sf "$dest/etcd" "$bin/etcd"
  for b in kube-controller-manager kube-scheduler; do
    if [ -x "$cache/k8s-$K8S_VERSION/$b" ]; then ln -sf "$cache/k8s-$K8S_VERSION/$b" "$bin/$b"; fi
  done
  # kubectl at the apiserver's version keeps the tests inside the supported skew.
  if [ -x "$dest/kubectl" ]; then ln -sf "$dest/kubectl" "$bin/kubectl"; else ln -sf "$(command -v kubectl)" "$bin/kubectl"; fi
}

# kubeconform works offline from a schema folder; generate one from the
# OpenAPI spec that ships inside the pinned k8s.io/kubernetes module.
schemas() {
  local dest=$cache/schemas/v$K8S_VERSION
  if [ ! -f "$dest/.done" ]; then
    log "generating Kubernetes JSON schemas for v$K8S_VERSION"
    local spec
    spec=$(cd "$root/test/cluster" && go mod download -json k8s.io/kubernetes | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')/api/openapi-spec/swagger.json
    rm -rf "$dest" && mkdir -p "$dest"
    node "$root/scripts/openapi-to-jsonschema.mjs" "$spec" "$dest"
    touch "$dest/.done"
  fi
  ln -sfn "$dest" "$cache/schemas/current"
}

# cilium-policy (test/cilium): Cilium's Parse() and selectors as a command; and the real
# Cilium CRDs from the same module, for the control plane. Keyed by the helper's source.
cilium() {
  local key dest
  key=$(cat "$root/test/cilium/go.mod" "$root/test/cilium/go.sum" "$root/test/cilium/main.go" | sha256sum | cut -c1-12)
  dest=$cache/cilium-$CILIUM_VERSION-$key
  if [ ! -x "$dest/cilium-policy" ] || [ ! -f "$dest/crds/.done" ]; then
    log "building cilium-policy against github.com/cilium/cilium $CILIUM_VERSION (first time: about 5 minutes on 2 cores)"
    mkdir -p "$dest/crds"
    (cd "$root/test/cilium" && go build -trimpath -ldflags=-s -o "$dest/" . && mv "$dest/cilium" "$dest/cilium-policy")
    local module
    module=$(cd "$root/test/cilium" && go list -m -f '{{.Dir}}' github.com/cilium/cilium)
    cp "$module"/pkg/k8s/apis/cilium.io/client/crds/v2/*.yaml "$dest/crds/"
    chmod u+w "$dest"/crds/*.yaml
    touch "$dest/crds/.done"
  fi
  ln -sf "$dest/cilium-policy" "$bin/cilium-policy"
  ln -sfn "$dest/crds" "$cache/cilium-crds"
}

# YAML files of a Go module's folder, copied into the cache once and linked by a stable name:
# name module version folder link.
module_yaml() {
  local name=$1 module=$2 version=$3 folder=$4 link=$5
  local dest=$cache/$name-$version
  if [ ! -f "$dest/.done" ]; then
    local dir
    dir=$(cd "$root/test/cluster" && GOFLAGS=-mod=mod go mod download -json "$module@$version" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
    mkdir -p "$dest"
    cp "$dir/$folder"/*.yaml "$dest/"
    chmod u+w "$dest"/*.yaml
    touch "$dest/.done"
  fi
  ln -sfn "$dest" "$cache/$link"
}

# The real Gateway API CRDs, standard channel, from the module (config/crd/standard).
gateway_api() {
  module_yaml gateway-api sigs.k8s.io/gateway-api "$GATEWAY_API_VERSION" config/crd/standard gateway-api-crds
}

# The real prometheus-operator CRDs, from the module (example/prometheus-operator-crd-full).
prometheus_operator() {
  module_yaml prometheus-operator github.com/prometheus-operator/prometheus-operator "$PROMETHEUS_OPERATOR_VERSION" \
    example/prometheus-operator-crd-full prometheus-operator-crds
}

# kwok and its stock stages (fast node and pod lifecycles, node leases) from the same module version.
kwok() {
  go_tool kwok sigs.k8s.io/kwok/cmd/kwok "$KWOK_VERSION"
  local dest=$cache/kwok-stages-$KWOK_VERSION-2
  if [ ! -f "$dest/.done" ]; then
    local module
    module=$(cd "$root/test/cluster" && GOFLAGS=-mod=mod go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
    mkdir -p "$dest"
    cp "$module"/kustomize/stage/node/fast/node-initialize.yaml \
      "$module"/kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
      "$module"/kustomize/stage/pod/fast/pod-ready.yaml \
      "$module"/kustomize/stage/pod/fast/pod-complete.yaml \
      "$module"/kustomize/stage/pod/fast/pod-delete.yaml "$dest/"
    chmod u+w "$dest"/*.yaml
    # A pod may ask to become Ready later (annotation pod-ready.stage.kwok.x-k8s.io/delay, e.g. "5s"), as
    # real containers take time to start: tests of disruption budgets need that window.
    sed -i 's|^spec:$|spec:\n  delay:\n    durationMilliseconds: 0\n    durationFrom:\n      expressionFrom: \x27.metadata.annotations["pod-ready.stage.kwok.x-k8s.io/delay"]\x27|' "$dest/pod-ready.yaml"
    touch "$dest/.done"
  fi
  ln -sfn "$dest" "$cache/kwok-stages"
}

# oauth2-proxy from its Go module, with its version stamped as its release build does.
oauth2_proxy() {
  local dest=$cache/tools/oauth2-proxy-$OAUTH2_PROXY_VERSION-stamped
  if [ ! -x "$dest/oauth2-proxy" ]; then
    log "building oauth2-proxy $OAUTH2_PROXY_VERSION (first time: about 2 minutes on 2 cores)"
    GOBIN=$dest go install -ldflags="-s -X github.com/oauth2-proxy/oauth2-proxy/v7/pkg/version.VERSION=$OAUTH2_PROXY_VERSION" \
      "github.com/oauth2-proxy/oauth2-proxy/v7@$OAUTH2_PROXY_VERSION"
  fi
  ln -sf "$dest/oauth2-proxy" "$bin/oauth2-proxy"
}

# Keycloak's own distribution from Maven Central, unpacked once.
keycloak() {
  local dest=$cache/keycloak-$KEYCLOAK_VERSION
  if [ ! -x "$dest/bin/kc.sh" ]; then
    log "fetching Keycloak $KEYCLOAK_VERSION (org.keycloak:keycloak-quarkus-dist, 165 MB, first time only)"
    mvn -q dependency:get -Dartifact="org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:zip" >&2
    local zip=$HOME/.m2/repository/org/keycloak/keycloak-quarkus-dist/$KEYCLOAK_VERSION/keycloak-quarkus-dist-$KEYCLOAK_VERSION.zip
    rm -rf "$dest.tmp" && mkdir -p "$dest.tmp"
    (cd "$dest.tmp" && unzip -q "$zip") && mv "$dest.tmp/keycloak-$KEYCLOAK_VERSION" "$dest" && rm -rf "$dest.tmp"
  fi
  ln -sfn "$dest" "$cache/keycloak"
}

# Debian's chromium (the browser the auth test drives), nginx (its stand-in ingress controller), Maven and unzip
# for Keycloak's distribution, coturn with its test clients (the TURN relay test), and PostgreSQL 15 (the major the
# upstream chart's data was made with, for the migration test; no cluster of its own is created or started).
debian_packages() {
  local missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  command -v nginx >/dev/null || missing+=(nginx-light)
  command -v unzip >/dev/null || missing+=(unzip)
  command -v mvn >/dev/null || missing+=(maven)
  command -v turnserver >/dev/null || missing+=(coturn)
  [ -x /usr/lib/postgresql/15/bin/postgres ] || missing+=(postgresql-15)
  [ ${#missing[@]} -eq 0 ] && return
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing ${missing[*]} from Debian"
    mkdir -p /etc/postgresql-common && [ -e /etc/postgresql-common/createcluster.conf ] || echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.conf
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  else
    log "missing ${missing[*]}: install them (Debian: apt-get install ${missing[*]})"; exit 1
  fi
}

command -v go >/dev/null || { log "go is missing: install Go 1.24 or newer"; exit 1; }
debian_packages
control_plane
go_tool helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION"
go_tool kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION"
go_tool kube-score github.com/zegl/kube-score/cmd/kube-score "$KUBE_SCORE_VERSION"
go_tool actionlint github.com/rhysd/actionlint/cmd/actionlint "$ACTIONLINT_VERSION"
schemas
cilium
gateway_api
prometheus_operator
# promtool alone (its module's main packages are Prometheus itself): about 3 minutes on 2 cores the first time.
go_tool promtool github.com/prometheus/prometheus/cmd/promtool "$PROMETHEUS_VERSION"
kwok
oauth2_proxy
keycloak
echo "$bin"
