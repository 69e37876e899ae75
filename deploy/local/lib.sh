# Shared by deploy/local/up and down. Everything lives under .local/ (ignored by git), or under
# CALLSTREAM_LOCAL_STATE (system-tests/routing-load uses a fresh one per run, so runs start from the same data).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${CALLSTREAM_LOCAL_STATE:-$ROOT/.local}"
RUN="$STATE/run"
LOGS="$STATE/logs"

SERVICES=(telephony-gateway ivr-service routing-service agent-service outbound-service)
declare -A PORT=([telephony-gateway]=8081 [ivr-service]=8082 [routing-service]=8083 [agent-service]=8084 [outbound-service]=8085)
declare -A DATABASE=([telephony-gateway]=gateway [ivr-service]=ivr [routing-service]=routing [agent-service]=agent [outbound-service]=outbound)
AGI_PORT=4573
AMI_PORT="${CALLSTREAM_PBX_AMI_PORT:-5038}"
PBX_HTTP_PORT="${CALLSTREAM_PBX_HTTP_PORT:-8090}"
LOCAL_DEMO="${CALLSTREAM_LOCAL_DEMO:-true}"  # false: do not load the demo flows
DEMO_NUMBER="${CALLSTREAM_DEMO_NUMBER:-4001}"
DEMO_CALLER_NUMBER="${CALLSTREAM_DEMO_CALLER_NUMBER:-4000100001}"
LOCAL_PBX="${CALLSTREAM_LOCAL_PBX:-true}"   # false: no simulator (bring your own switch on AMI_PORT)
KAFKA_PORT="${CALLSTREAM_KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${CALLSTREAM_KAFKA_CONTROLLER_PORT:-9093}"
# 0: a consumer group's first member starts at once (Kafka's own default, 3000, is what a cluster has)
KAFKA_REBALANCE_DELAY_MS="${CALLSTREAM_KAFKA_INITIAL_REBALANCE_DELAY_MS:-0}"
POSTGRES_PORT="${CALLSTREAM_POSTGRES_PORT:-5433}"
# The broker's: a young generation of 512 MiB. Its young collections take 15-21 ms here, about what they took at
# the old ~85 MiB, but come every ~8 s instead of every ~2 s at 200 transfers/s (at 2 GiB they took 94-158 ms:
# docs/benchmarks.md)
KAFKA_JAVA_OPTS="${CALLSTREAM_KAFKA_JAVA_OPTS:--Xmx768m -Xmn512m -XX:+UseSerialGC}"
SERVICE_JAVA_OPTS="${CALLSTREAM_SERVICE_JAVA_OPTS:--Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}"
# Added to the broker's and every service's JVM options: the JIT compiler threads at nice 19. With a few busy
# processes on 2 cores, a long compile otherwise takes a core from the threads serving events for tens of
# milliseconds (docs/benchmarks.md). ThreadPriorityPolicy=1 lets the JVM set native thread priorities at all
# (raising one's own nice needs no privilege; as root it also gives the VM and GC threads nice -4 to -5).
# Set CALLSTREAM_JIT_JAVA_OPTS= (empty) to run the compilers as the JVM has them.
JIT_JAVA_OPTS="${CALLSTREAM_JIT_JAVA_OPTS--XX:ThreadPriorityPolicy=1 -XX:CompilerThreadPriority=19}"

say() { printf '%s\n' "$*"; }
die() { printf 'callstream: %s\n' "$*" >&2; exit 1; }

# true when something accepts connections on 127.0.0.1:$1
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# HTTP status of GET http://127.0.0.1:$1$2, with bash alone (no curl needed)
http_status() {
  local port=$1 path=$2 line
  { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || { echo 000; return; }
  printf 'GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n' "$path" >&3
  IFS=' ' read -r -t 5 _ line _ <&3 || line=000
  exec 3<&- 3>&-
  echo "${line:-000}"
}

pid_alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

# stops these services of a running local stack (SIGTERM, then waits for each to exit) and forgets their pids:
# a benchmark or system test keeps only what it measures, as two cores are shared by everything
stop_services() { # service...
  local s pid
  for s in "$@"; do
    pid=$(cat "$RUN/$s.pid" 2>/dev/null) && kill -TERM "$pid" 2>/dev/null && while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
    rm -f "$RUN/$s.pid"
  done
}
# For a benchmark: this run's stack gets a state directory of its own, emptied first (database, topics,
# logs), unless CALLSTREAM_LOCAL_STATE names one. Data left by earlier runs (millions of processed-event
# rows, agents of other benchmarks) made the same benchmark slower from one run to the next.
fresh_state() { # name
  if [ -z "${CALLSTREAM_LOCAL_STATE:-}" ]; then
    export CALLSTREAM_LOCAL_STATE="$ROOT/.local/bench-$1"
    rm -rf "$CALLSTREAM_LOCAL_STATE"
  fi
  STATE="$CALLSTREAM_LOCAL_STATE"; RUN="$STATE/run"; LOGS="$STATE/logs"
  mkdir -p "$STATE"
}
