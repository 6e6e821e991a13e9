#!/usr/bin/env bash
# `npm run control-plane -- start|stop|status`: a throwaway Kubernetes control plane for the
# test/engine tier, from the binaries `npm run toolchain` built into .toolchain/bin/.
#
#   start   etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok on 127.0.0.1
#           only (free ports), throwaway certificates (openssl), a service-account signing key,
#           RBAC authorization; writes the admin kubeconfig to .toolchain/kubeconfig, waits for
#           /readyz, registers FAKE_NODES fake nodes (default 2) and waits until they are Ready.
#           A start while it runs is a no-op.
#   stop    ends exactly the processes `start` began (by the pids it recorded) and removes
#           the throwaway state (etcd data, certificates, kubeconfig). Logs stay.
#   status  says whether it runs, and where.
#
# No kubelet, container runtime or network runs. The scheduler places pods on fake Nodes that
# kwok (sigs.k8s.io/kwok, out of cluster, managing only the Nodes annotated kwok.x-k8s.io/node=fake)
# keeps Ready; kwok marks the pods placed there Running and Ready with a pod IP, and deletes them
# when asked, so Deployments and StatefulSets roll out and Pulumi's readiness waits complete as on
# a real cluster. No process runs in a pod. Nothing provisions volumes: PersistentVolumeClaims stay
# Pending, so the scheduler's profile leaves out its volume-binding checks (VolumeBinding,
# VolumeZone), which would keep every pod of a StatefulSet with a claim template unscheduled.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/.toolchain/bin"
STATE="$ROOT/.toolchain/control-plane"
LOGS="$ROOT/.toolchain/logs"
KUBECONFIG_FILE="$ROOT/.toolchain/kubeconfig"
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)
# Without these two (a toolchain that left them out) the rest still starts: objects are admitted
# and stored, pods stay Pending, and the tests that need running pods skip (fail under CI).
OPTIONAL=(kube-scheduler kwok)
FAKE_NODES="${FAKE_NODES:-2}"

log() { echo "control-plane: $*"; }

pid_of() { [[ -f "$STATE/$1.pid" ]] && cat "$STATE/$1.pid" || true; }

# True when the recorded pid still runs the binary we started (a reused pid is not ours).
ours() {
  local pid; pid="$(pid_of "$1")"
  [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$BIN/$1 "
}

api_url() { cat "$STATE/api-url"; }

ready() {
  [[ -f "$STATE/api-url" ]] || return 1
  curl -fsS --max-time 2 --cacert "$STATE/pki/ca.crt" --cert "$STATE/pki/admin.crt" --key "$STATE/pki/admin.key" \
    "$(api_url)/readyz" >/dev/null 2>&1
}

# kube_api METHOD PATH [JSON]: one request to the API server as the admin; prints the body.
kube_api() {
  local data=()
  [[ $# -ge 3 ]] && data=(-H "Content-Type: application/json" --data "$3")
  curl -sS --max-time 10 --cacert "$STATE/pki/ca.crt" --cert "$STATE/pki/admin.crt" --key "$STATE/pki/admin.key" \
    -X "$1" "${data[@]}" "$(api_url)$2"
}

# The fake Nodes kwok manages (by their annotation); no taint, so every pod may be placed there.
fake_node() {
  cat <<JSON
{"apiVersion":"v1","kind":"Node","metadata":{"name":"$1","annotations":{"kwok.x-k8s.io/node":"fake","node.alpha.kubernetes.io/ttl":"0"},
 "labels":{"kubernetes.io/hostname":"$1","kubernetes.io/os":"linux","kubernetes.io/arch":"amd64","type":"kwok"}}}
JSON
}

nodes_ready() {
  local ready
  ready="$(kube_api GET /api/v1/nodes | node -e '
    const items = JSON.parse(require("fs").readFileSync(0, "utf8")).items ?? [];
    console.log(items.filter((n) => (n.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True")).length);' 2>/dev/null)"
  [[ "${ready:-0}" -ge "$FAKE_NODES" ]]
}

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});'; }

stop_all() {
  local name pid stopped=()
  for ((i=${#COMPONENTS[@]}-1; i>=0; i--)); do
    name="${COMPONENTS[$i]}"
    if ours "$name"; then
      pid="$(pid_of "$name")"
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do [[ -d "/proc/$pid" ]] || break; sleep 0.2; done
      if [[ -d "/proc/$pid" ]]; then kill -9 "$pid" 2>/dev/null || true; fi
      stopped+=("$name ($pid)")
    fi
    rm -f "$STATE/$name.pid"
  done
  rm -rf "$STATE" "$KUBECONFIG_FILE"
  if ((${#stopped[@]})); then log "stopped ${stopped[*]}"; else log "was not running"; fi
}

pki() {
  local d="$STATE/pki"
  mkdir -p "$d"
  (
    cd "$d"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj "/CN=fluvio-spu-test-ca" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout apiserver.key -out apiserver.csr -subj "/CN=kube-apiserver" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,IP:10.0.0.1\n' >apiserver.ext
    openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out apiserver.crt -days 2 -extfile apiserver.ext 2>/dev/null
    # The admin client: the system:masters group is what RBAC lets do everything.
    openssl req -newkey rsa:2048 -nodes -keyout admin.key -out admin.csr -subj "/O=system:masters/CN=admin" 2>/dev/null
    openssl x509 -req -in admin.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out admin.crt -days 2 2>/dev/null
    openssl genrsa -out sa.key 2048 2>/dev/null
    openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
    rm -f ./*.csr ./*.ext
  )
}

write_kubeconfig() {
  local file="$1" url="$2" b64="base64 -w0"
  cat >"$file" <<YAML
apiVersion: v1
kind: Config
clusters:
  - name: fluvio-spu-test
    cluster:
      server: $url
      certificate-authority-data: $($b64 "$STATE/pki/ca.crt")
users:
  - name: admin
    user:
      client-certificate-data: $($b64 "$STATE/pki/admin.crt")
      client-key-data: $($b64 "$STATE/pki/admin.key")
contexts:
  - name: fluvio-spu-test
    context: { cluster: fluvio-spu-test, user: admin }
current-context: fluvio-spu-test
YAML
}

launch() {
  local name="$1"; shift
  nohup "$BIN/$name" "$@" >"$LOGS/$name.log" 2>&1 &
  echo $! >"$STATE/$name.pid"
}

start_all() {
  local name all_ours=true
  for name in "${COMPONENTS[@]}"; do
    [[ -x "$BIN/$name" ]] || continue
    ours "$name" || all_ours=false
  done
  if ready && [[ "$all_ours" == true ]]; then
    log "already running at $(api_url) (kubeconfig: .toolchain/kubeconfig)"
    return 0
  fi
  for name in "${COMPONENTS[@]}"; do
    [[ -x "$BIN/$name" ]] && continue
    if [[ " ${OPTIONAL[*]} " == *" $name "* ]]; then
      log "LEFT OUT $name: not in .toolchain/bin (npm run toolchain); no pod will run"
    else
      echo "control-plane: $BIN/$name is missing: run npm run toolchain first" >&2; exit 1
    fi
  done
  command -v openssl >/dev/null || { echo "control-plane: openssl is needed for the throwaway certificates" >&2; exit 1; }
  # A half-started or crashed earlier run: end what is left of it first.
  [[ -d "$STATE" ]] && stop_all >/dev/null
  mkdir -p "$STATE" "$LOGS"
  pki
  local etcd_port peer_port api_port kcm_port scheduler_port kwok_port
  etcd_port="$(free_port)"; peer_port="$(free_port)"; api_port="$(free_port)"; kcm_port="$(free_port)"
  scheduler_port="$(free_port)"; kwok_port="$(free_port)"
  echo "https://127.0.0.1:$api_port" >"$STATE/api-url"

  launch etcd --name fluvio-spu-test --data-dir "$STATE/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-cluster "fluvio-spu-test=http://127.0.0.1:$peer_port" --listen-metrics-urls "" \
    --unsafe-no-fsync --quota-backend-bytes 2147483648

  launch kube-apiserver --etcd-servers "http://127.0.0.1:$etcd_port" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" \
    --cert-dir "$STATE/pki" --tls-cert-file "$STATE/pki/apiserver.crt" --tls-private-key-file "$STATE/pki/apiserver.key" \
    --client-ca-file "$STATE/pki/ca.crt" --authorization-mode RBAC --allow-privileged=true \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$STATE/pki/sa.pub" --service-account-signing-key-file "$STATE/pki/sa.key" \
    --service-cluster-ip-range 10.0.0.0/16 --service-node-port-range 30000-32767 \
    --disable-admission-plugins ServiceAccount --endpoint-reconciler-type none

  write_kubeconfig "$KUBECONFIG_FILE.tmp" "$(api_url)"
  mv "$KUBECONFIG_FILE.tmp" "$KUBECONFIG_FILE"

  local waited=0
  until ready; do
    if ! ours kube-apiserver || ! ours etcd; then
      echo "control-plane: a process ended during start; the end of its logs:" >&2
      tail -n 20 "$LOGS/etcd.log" "$LOGS/kube-apiserver.log" >&2 || true
      stop_all >&2; exit 1
    fi
    ((waited++ < 120)) || { echo "control-plane: /readyz did not answer in 60 s" >&2; tail -n 30 "$LOGS/kube-apiserver.log" >&2; stop_all >&2; exit 1; }
    sleep 0.5
  done

  # The controller manager: garbage collection (owner references) and namespace deletion.
  launch kube-controller-manager --kubeconfig "$KUBECONFIG_FILE" \
    --authentication-kubeconfig "$KUBECONFIG_FILE" --authorization-kubeconfig "$KUBECONFIG_FILE" \
    --bind-address 127.0.0.1 --secure-port "$kcm_port" --cert-dir "$STATE/kcm" --leader-elect=false \
    --service-account-private-key-file "$STATE/pki/sa.key" --root-ca-file "$STATE/pki/ca.crt" \
    --controllers "*,-nodeipam,-nodelifecycle,-cloud-node-lifecycle,-route,-service,-ttl,-bootstrapsigner,-tokencleaner"

  # The scheduler, without the volume checks nothing here could satisfy (see the top of this file).
  cat >"$STATE/scheduler.yaml" <<YAML
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
clientConnection: { kubeconfig: "$KUBECONFIG_FILE" }
leaderElection: { leaderElect: false }
profiles:
  - schedulerName: default-scheduler
    plugins:
      multiPoint:
        disabled: [{ name: VolumeBinding }, { name: VolumeZone }]
YAML
  if [[ -x "$BIN/kube-scheduler" && -x "$BIN/kwok" ]]; then start_nodes "$scheduler_port" "$kwok_port"; fi
  log "running at $(api_url):$(for name in "${COMPONENTS[@]}"; do [[ -f "$STATE/$name.pid" ]] && printf ' %s %s' "$name" "$(pid_of "$name")"; done)"
  log "kubeconfig: $KUBECONFIG_FILE   logs: $LOGS/"
}

# kwok's configuration: three stages, what a kubelet would report and nothing more.
# - a fake node is Ready, with room for any pod (no heartbeat is needed: the controller manager
#   runs without the node lifecycle controller, so nothing marks a quiet node NotReady);
# - a pod placed on one (kwok watches only its nodes' pods) is Running and Ready at once, every
#   container running and every init container completed, with a pod IP;
# - a pod being deleted is deleted (what the kubelet confirms once its containers stopped).
kwok_config() {
  cat <<'YAML'
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata: { name: fake-node-ready }
spec:
  resourceRef: { apiGroup: v1, kind: Node }
  selector:
    matchExpressions:
      - { key: '.status.conditions.[] | select( .type == "Ready" ) | .status', operator: NotIn, values: ["True"] }
  next:
    statusTemplate: |
      conditions:
        - type: Ready
          status: "True"
          reason: KubeletReady
          message: a fake node kept by kwok
          lastHeartbeatTime: {{ Now | Quote }}
          lastTransitionTime: {{ Now | Quote }}
      addresses:
        - type: InternalIP
          address: {{ NodeIP | Quote }}
      allocatable: { cpu: "64", memory: 256Gi, pods: "500" }
      capacity: { cpu: "64", memory: 256Gi, pods: "500" }
      phase: Running
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata: { name: fake-pod-running }
spec:
  resourceRef: { apiGroup: v1, kind: Pod }
  selector:
    matchExpressions:
      - { key: .metadata.deletionTimestamp, operator: DoesNotExist }
      - { key: .status.podIP, operator: DoesNotExist }
  next:
    statusTemplate: |
      {{ $now := Now }}
      phase: Running
      startTime: {{ $now | Quote }}
      hostIP: {{ NodeIPWith .spec.nodeName | Quote }}
      podIP: {{ PodIPWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) | Quote }}
      conditions:
        - { type: PodScheduled, status: "True", lastTransitionTime: {{ $now | Quote }} }
        - { type: Initialized, status: "True", lastTransitionTime: {{ $now | Quote }} }
        - { type: ContainersReady, status: "True", lastTransitionTime: {{ $now | Quote }} }
        - { type: Ready, status: "True", lastTransitionTime: {{ $now | Quote }} }
      containerStatuses:
      {{ range .spec.containers }}
        - { name: {{ .name | Quote }}, image: {{ .image | Quote }}, ready: true, started: true, restartCount: 0, state: { running: { startedAt: {{ $now | Quote }} } } }
      {{ end }}
      initContainerStatuses:
      {{ range .spec.initContainers }}
        - { name: {{ .name | Quote }}, image: {{ .image | Quote }}, ready: true, restartCount: 0, state: { terminated: { exitCode: 0, reason: Completed, startedAt: {{ $now | Quote }}, finishedAt: {{ $now | Quote }} } } }
      {{ end }}
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata: { name: fake-pod-deleted }
spec:
  resourceRef: { apiGroup: v1, kind: Pod }
  selector:
    matchExpressions:
      - { key: .metadata.deletionTimestamp, operator: Exists }
  next:
    delete: true
YAML
}

# start_nodes SCHEDULER_PORT KWOK_PORT: the scheduler, kwok and the fake nodes, Ready.
start_nodes() {
  local scheduler_port="$1" kwok_port="$2" waited=0
  launch kube-scheduler --config "$STATE/scheduler.yaml" \
    --authentication-kubeconfig "$KUBECONFIG_FILE" --authorization-kubeconfig "$KUBECONFIG_FILE" \
    --bind-address 127.0.0.1 --secure-port "$scheduler_port" --cert-dir "$STATE/scheduler"

  # kwok: the fake nodes and their pods' lifecycle. kwok 0.8 run on its own has no stages built
  # in, so ours are in its config (below). Pod IPs come from a range apart from the Services'.
  kwok_config >"$STATE/kwok.yaml"
  launch kwok --config "$STATE/kwok.yaml" --kubeconfig "$KUBECONFIG_FILE" \
    --manage-all-nodes=false --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
    --cidr 10.244.0.0/16 --node-ip 10.243.0.1 --server-address "127.0.0.1:$kwok_port"

  local i
  for ((i = 0; i < FAKE_NODES; i++)); do
    kube_api POST /api/v1/nodes "$(fake_node "kwok-node-$i")" >/dev/null
    # The API server's admission taints a new Node not-ready; the node lifecycle controller that
    # would lift the taint does not run here (it would also evict pods from quiet fake nodes).
    curl -sS --max-time 10 --cacert "$STATE/pki/ca.crt" --cert "$STATE/pki/admin.crt" --key "$STATE/pki/admin.key" \
      -X PATCH -H "Content-Type: application/merge-patch+json" --data '{"spec":{"taints":null}}' \
      "$(api_url)/api/v1/nodes/kwok-node-$i" >/dev/null
  done
  until nodes_ready; do
    if ! ours kwok || ! ours kube-scheduler || ! ours kube-controller-manager; then
      echo "control-plane: a process ended during start; the end of its logs:" >&2
      tail -n 20 "$LOGS/kube-controller-manager.log" "$LOGS/kube-scheduler.log" "$LOGS/kwok.log" >&2 || true
      stop_all >&2; exit 1
    fi
    ((waited++ < 120)) || { echo "control-plane: the fake nodes were not Ready in 60 s" >&2; tail -n 30 "$LOGS/kwok.log" >&2; stop_all >&2; exit 1; }
    sleep 0.5
  done

  log "$FAKE_NODES fake nodes Ready (kwok)"
}

case "${1:-}" in
  start) start_all ;;
  stop) stop_all ;;
  status)
    if ready; then log "running at $(api_url)"; else log "not running"; exit 1; fi ;;
  *) echo "usage: npm run control-plane -- start|stop|status" >&2; exit 2 ;;
esac
