#!/usr/bin/env bash
# DL Lab for a class: a local Ray head, REPLICAS `streamlit run app.py` replicas and nginx in
# front of them with sticky sessions. Everything it starts, writes and logs is in one run folder.
#
#   deploy/classroom.sh start | stop | status
#
# Settings (environment):
#   REPLICAS=2               Streamlit replicas (each one Python process, its own sessions)
#   PORT=8501                the port learners open (nginx)
#   BIND_ADDRESS=0.0.0.0     where nginx listens (127.0.0.1: this machine only)
#   REPLICA_PORT=8601        the first replica's port; the others follow (loopback only)
#   DL_LAB_JOBS=ray          ray: trainings go to a Ray cluster; local: each replica's own workers
#   DL_LAB_RAY_ADDRESS       an existing Ray cluster (host:port); unset: start a local head
#   RAY_PORT=0               the local head's port (0: a free one; give one to add machines)
#   DL_LAB_RAY_NODE_IP=127.0.0.1  the head's address (the LAN address when other machines join)
#   DL_LAB_RAY_CPUS=$(nproc) CPUs the local head offers
#   RAY_OBJECT_STORE_MB=200  the local head's object store
#   DL_LAB_RAY_MAX_JOBS, DL_LAB_CACHE_DIR, and every other DL_LAB_* variable: passed to replicas
#   DL_LAB_RUN_DIR=.classroom   pids, logs, the generated nginx config, the Ray token
#   STOP_TIMEOUT=20          seconds a process gets to stop after SIGTERM before SIGKILL
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=${PY:-$ROOT/.venv/bin/python}
RAY_BIN=${RAY_BIN:-$(dirname "$PY")/ray}
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
TEMPLATE=$ROOT/deploy/nginx/dl-lab.conf.template

REPLICAS=${REPLICAS:-2}
PORT=${PORT:-8501}
BIND_ADDRESS=${BIND_ADDRESS:-0.0.0.0}
REPLICA_PORT=${REPLICA_PORT:-8601}
RAY_PORT=${RAY_PORT:-0}
RAY_NODE_IP=${DL_LAB_RAY_NODE_IP:-127.0.0.1}
RAY_CPUS=${DL_LAB_RAY_CPUS:-$(nproc)}
RAY_OBJECT_STORE_MB=${RAY_OBJECT_STORE_MB:-200}
STOP_TIMEOUT=${STOP_TIMEOUT:-20}
HEALTH_TIMEOUT=${HEALTH_TIMEOUT:-180}
export DL_LAB_JOBS=${DL_LAB_JOBS:-ray}

RUN_DIR=${DL_LAB_RUN_DIR:-$ROOT/.classroom}
[ "${1:-}" != start ] || mkdir -p "$RUN_DIR"
if [ -d "$RUN_DIR" ]; then RUN_DIR=$(cd "$RUN_DIR" && pwd); fi
LOGS=$RUN_DIR/logs

say() { printf 'classroom: %s\n' "$*"; }
die() { printf 'classroom: %s\n' "$*" >&2; exit 1; }

alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }
pid_of() { cat "$RUN_DIR/$1.pid" 2>/dev/null || true; }

free_port() {
    "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

port_in_use() {  # port_in_use HOST PORT: something accepts connections there
    "$PY" - "$1" "$2" <<'EOF'
import socket, sys
with socket.socket() as s:
    s.settimeout(1)
    sys.exit(0 if s.connect_ex((sys.argv[1], int(sys.argv[2]))) == 0 else 1)
EOF
}

healthy() {  # healthy URL: GET URL/_stcore/health answers 200
    "$PY" - "$1" <<'EOF'
import sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1] + "/_stcore/health", timeout=3) as response:
        sys.exit(0 if response.status == 200 else 1)
except OSError:
    sys.exit(1)
EOF
}

wait_healthy() {  # wait_healthy NAME URL PID
    local deadline=$((SECONDS + HEALTH_TIMEOUT))
    until healthy "$2"; do
        alive "$3" || die "$1 exited while starting; see $LOGS/$1.log"
        [ $SECONDS -lt $deadline ] || die "$1 not healthy at $2 after ${HEALTH_TIMEOUT} s; see $LOGS/$1.log"
        sleep 0.5
    done
}

# Processes started with setsid (each one's group is its pid) stop in two steps, so that several
# stop at once: SIGTERM (to the whole group, or to its leader alone with `leader`), then, after
# STOP_TIMEOUT, SIGKILL to whatever is left of the group (a worker that outlived its parent).
term_group() {  # term_group NAME [leader]
    local pid target
    pid=$(pid_of "$1")
    alive "$pid" || return 0
    target=-$pid
    [ "${2:-}" != leader ] || target=$pid
    kill -TERM -- "$target" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
}

reap_group() {  # reap_group NAME: wait for it, then kill what is left
    local pid deadline
    pid=$(pid_of "$1")
    deadline=$((SECONDS + STOP_TIMEOUT))
    while alive "$pid" && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    if alive "$pid"; then say "$1 ignored SIGTERM for ${STOP_TIMEOUT} s; killing it"; fi
    [ -z "$pid" ] || kill -KILL -- "-$pid" 2>/dev/null || true
    rm -f "$RUN_DIR/$1.pid"
}

start_ray() {
    if [ -n "${DL_LAB_RAY_ADDRESS:-}" ]; then
        say "Ray: using the cluster at $DL_LAB_RAY_ADDRESS"
        return
    fi
    local tmp token=$RUN_DIR/ray-auth-token pid deadline
    # Ray's unix sockets live under its temp folder and must stay short (107 bytes): keep it in /tmp.
    tmp=$(mktemp -d /tmp/dl-lab-ray.XXXXXX)
    echo "$tmp" >"$RUN_DIR/ray.tmpdir"
    # Token authentication, with this run's own token (the user's ~/.ray is left alone).
    (umask 077 && "$PY" -c 'import secrets; print(secrets.token_hex(32))' >"$token")
    export RAY_AUTH_MODE=token RAY_AUTH_TOKEN_PATH=$token RAY_USAGE_STATS_ENABLED=0
    [ "$RAY_PORT" != 0 ] || RAY_PORT=$(free_port)
    # --block: this one process owns the head; SIGTERM to it stops this cluster and nothing else
    # (`ray stop` would stop every Ray process of this user on the machine). No Serve proxies to
    # drain: skip the 30 s drain wait on SIGTERM.
    RAY_GRACEFUL_SHUTDOWN_DRAIN_TIMEOUT_S=0 setsid "$RAY_BIN" start --head --block --port="$RAY_PORT" --node-ip-address="$RAY_NODE_IP" \
        --num-cpus="$RAY_CPUS" --object-store-memory=$((RAY_OBJECT_STORE_MB * 1024 * 1024)) \
        --include-dashboard=false --dashboard-agent-listen-port="$(free_port)" \
        --disable-usage-stats --temp-dir="$tmp" </dev/null >"$LOGS/ray.log" 2>&1 &
    pid=$!
    echo "$pid" >"$RUN_DIR/ray.pid"
    deadline=$((SECONDS + HEALTH_TIMEOUT))
    until [ -s "$tmp/ray_current_cluster" ] && grep -q "block forever" "$LOGS/ray.log"; do
        alive "$pid" || die "the Ray head exited while starting; see $LOGS/ray.log"
        [ $SECONDS -lt $deadline ] || die "the Ray head did not start in ${HEALTH_TIMEOUT} s; see $LOGS/ray.log"
        sleep 0.3
    done
    export DL_LAB_RAY_ADDRESS=$RAY_NODE_IP:$RAY_PORT
    say "Ray: head at $DL_LAB_RAY_ADDRESS ($RAY_CPUS CPUs; log $LOGS/ray.log)"
}

stop_ray() {
    local tmp leftovers
    # The head's own SIGTERM handler stops its processes in order (SIGTERM to all of them at once
    # leaves `ray start --block` waiting forever).
    term_group ray leader
    reap_group ray
    tmp=$(cat "$RUN_DIR/ray.tmpdir" 2>/dev/null || true)
    if [ -n "$tmp" ]; then
        # A Ray process that outlived the head names this run's own temp folder on its command line.
        leftovers=$(pgrep -f -- "$tmp" || true)
        for pid in $leftovers; do kill -KILL "$pid" 2>/dev/null || true; done
        rm -rf "$tmp"
        rm -f "$RUN_DIR/ray.tmpdir"
    fi
}

start_replicas() {
    local i port pid
    for ((i = 1; i <= REPLICAS; i++)); do
        port=$((REPLICA_PORT + i - 1))
        ! port_in_use 127.0.0.1 "$port" || die "port $port (replica $i) is in use; set REPLICA_PORT"
        (cd "$ROOT" && exec setsid "$PY" -m streamlit run app.py --server.address 127.0.0.1 \
            --server.port "$port" --server.headless true --server.fileWatcherType none \
            --browser.gatherUsageStats false </dev/null >"$LOGS/replica-$i.log" 2>&1) &
        pid=$!
        echo "$pid" >"$RUN_DIR/replica-$i.pid"
        echo "$port" >"$RUN_DIR/replica-$i.port"
    done
    for ((i = 1; i <= REPLICAS; i++)); do
        wait_healthy "replica-$i" "http://127.0.0.1:$(cat "$RUN_DIR/replica-$i.port")" "$(pid_of "replica-$i")"
        say "replica $i: healthy on 127.0.0.1:$(cat "$RUN_DIR/replica-$i.port") (log $LOGS/replica-$i.log)"
    done
}

upload_limit_mb() {  # Streamlit's server.maxUploadSize from .streamlit/config.toml (default 200)
    local mb
    mb=$(sed -n 's/^[[:space:]]*maxUploadSize[[:space:]]*=[[:space:]]*\([0-9]\+\).*/\1/p' \
        "$ROOT/.streamlit/config.toml" 2>/dev/null | head -n 1)
    echo "${mb:-200}"
}

write_nginx_conf() {
    local i j port upstreams="" split="" cookie_map="" cookie_keep="" served_by="" share user_line conf
    share=$((10000 / REPLICAS))
    for ((i = 1; i <= REPLICAS; i++)); do
        port=$(cat "$RUN_DIR/replica-$i.port")
        upstreams+="    upstream r$i {"$'\n'"        server 127.0.0.1:$port max_fails=1 fail_timeout=10s;"$'\n'
        for ((j = 1; j <= REPLICAS; j++)); do
            [ "$j" = "$i" ] || upstreams+="        server 127.0.0.1:$(cat "$RUN_DIR/replica-$j.port") backup;"$'\n'
        done
        upstreams+="        keepalive 16;"$'\n'"    }"$'\n'
        if [ "$i" -lt "$REPLICAS" ]; then
            split+="        $((share / 100)).$(printf '%02d' $((share % 100)))% r$i;"$'\n'
        else
            split+="        * r$i;"$'\n'
        fi
        cookie_map+="        r$i r$i;"$'\n'
        cookie_keep+="        r$i \"\";"$'\n'
        served_by+="        \"~:$port\$\" r$i;"$'\n'
    done
    if [ "$(id -u)" = 0 ]; then
        user_line="user nobody $(id -gn nobody 2>/dev/null || echo nogroup);"  # workers drop root
    else
        user_line="# (not root: the workers run as $(id -un))"
    fi
    conf=$(<"$TEMPLATE")
    conf=${conf//@RUN_DIR@/$RUN_DIR}
    conf=${conf//@USER_LINE@/$user_line}
    conf=${conf//@UPSTREAMS@/${upstreams%$'\n'}}
    conf=${conf//@SPLIT@/${split%$'\n'}}
    conf=${conf//@COOKIE_MAP@/${cookie_map%$'\n'}}
    conf=${conf//@COOKIE_KEEP@/${cookie_keep%$'\n'}}
    conf=${conf//@SERVED_BY@/${served_by%$'\n'}}
    case "$BIND_ADDRESS" in
        *:*) conf=${conf//@LISTEN@/[$BIND_ADDRESS]:$PORT} ;;
        *) conf=${conf//@LISTEN@/$BIND_ADDRESS:$PORT} ;;
    esac
    conf=${conf//@MAX_BODY@/$(($(upload_limit_mb) + 1))m}
    printf '%s\n' "$conf" >"$RUN_DIR/nginx.conf"
}

start_nginx() {
    [ -x "$NGINX" ] || die "nginx is missing: \`make classroom\` installs it (apt-get install nginx)"
    mkdir -p "$RUN_DIR/nginx-tmp"
    write_nginx_conf
    "$NGINX" -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf" -e "$LOGS/nginx-error.log" -t -q \
        || die "the generated $RUN_DIR/nginx.conf does not pass nginx -t"
    "$NGINX" -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf" -e "$LOGS/nginx-error.log"
    local deadline=$((SECONDS + 10))
    until [ -s "$RUN_DIR/nginx.pid" ]; do
        [ $SECONDS -lt $deadline ] || die "nginx did not start; see $LOGS/nginx-error.log"
        sleep 0.2
    done
    wait_healthy nginx "$(probe_url)" "$(pid_of nginx)"
}

probe_url() {  # where this machine reaches nginx
    case "$BIND_ADDRESS" in
        0.0.0.0 | "*") echo "http://127.0.0.1:$PORT" ;;
        *:*) echo "http://[$BIND_ADDRESS]:$PORT" ;;
        *) echo "http://$BIND_ADDRESS:$PORT" ;;
    esac
}

stop_nginx() {
    local pid deadline
    pid=$(pid_of nginx)
    alive "$pid" || { rm -f "$RUN_DIR/nginx.pid"; return 0; }
    "$NGINX" -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf" -e "$LOGS/nginx-error.log" -s quit 2>/dev/null \
        || kill -QUIT "$pid" 2>/dev/null || true
    deadline=$((SECONDS + STOP_TIMEOUT))
    while alive "$pid" && [ $SECONDS -lt $deadline ]; do sleep 0.3; done
    ! alive "$pid" || kill -TERM "$pid" 2>/dev/null || true  # open websockets: stop waiting for them
    sleep 0.5
    ! alive "$pid" || kill -KILL "$pid" 2>/dev/null || true
    rm -f "$RUN_DIR/nginx.pid"
}

write_env() {  # the settings a teacher's shell needs to use the same cluster and cache
    {
        echo "# source this file to use the classroom's job backend and cache (e.g. dl_core warm)"
        for name in DL_LAB_JOBS DL_LAB_RAY_ADDRESS DL_LAB_RAY_MAX_JOBS DL_LAB_CACHE_DIR \
                    RAY_AUTH_MODE RAY_AUTH_TOKEN_PATH; do
            [ -z "${!name:-}" ] || printf 'export %s=%q\n' "$name" "${!name}"
        done
    } >"$RUN_DIR/env"
}

url() {
    local host=$BIND_ADDRESS
    if [ "$host" = 0.0.0.0 ]; then
        host=$(hostname -I 2>/dev/null | awk '{print $1}')
        host=${host:-localhost}
    fi
    echo "http://$host:$PORT"
}

any_running() {
    local f
    for f in "$RUN_DIR"/*.pid; do
        [ -e "$f" ] || continue
        if alive "$(cat "$f")"; then return 0; fi
    done
    return 1
}

cmd_start() {
    [[ "$REPLICAS" =~ ^[1-9][0-9]*$ ]] || die "REPLICAS must be a whole number >= 1 (got '$REPLICAS')"
    ! any_running || die "already running from $RUN_DIR (\`$0 status\`; \`$0 stop\` first)"
    ! port_in_use 127.0.0.1 "$PORT" || die "port $PORT is in use; choose another PORT"
    mkdir -p "$LOGS"
    trap 'say "start failed; stopping what was started"; cmd_stop >/dev/null 2>&1 || true' EXIT
    case "$DL_LAB_JOBS" in
        ray) start_ray ;;
        local) say "trainings run in each replica's own worker processes (DL_LAB_JOBS=local)" ;;
        *) die "DL_LAB_JOBS must be ray or local (got '$DL_LAB_JOBS')" ;;
    esac
    if [ -n "${DL_LAB_CACHE_DIR:-}" ]; then
        mkdir -p "$DL_LAB_CACHE_DIR"
        DL_LAB_CACHE_DIR=$(cd "$DL_LAB_CACHE_DIR" && pwd)
        export DL_LAB_CACHE_DIR
    fi
    write_env
    start_replicas
    start_nginx
    trap - EXIT
    url >"$RUN_DIR/url"
    probe_url >"$RUN_DIR/probe-url"
    say "$REPLICAS replicas behind nginx (sticky cookie dllab_replica); logs in $LOGS"
    say "open $(url)"
}

cmd_stop() {
    local f name
    [ -d "$RUN_DIR" ] || { say "nothing is running from $RUN_DIR"; return 0; }
    stop_nginx
    for f in "$RUN_DIR"/replica-*.pid; do
        if [ -e "$f" ]; then term_group "$(basename "$f" .pid)"; fi
    done
    for f in "$RUN_DIR"/replica-*.pid; do
        [ -e "$f" ] || continue
        name=$(basename "$f" .pid)
        reap_group "$name"
        rm -f "$RUN_DIR/$name.port"
    done
    stop_ray
    rm -f "$RUN_DIR/url" "$RUN_DIR/probe-url"
    say "stopped"
}

cmd_status() {
    local f name pid port state=0
    [ -d "$RUN_DIR" ] || { say "nothing is running from $RUN_DIR"; return 3; }
    pid=$(pid_of ray)
    if [ -e "$RUN_DIR/ray.pid" ]; then
        if alive "$pid"; then say "ray: running (pid $pid) at $(sed -n 's/^export DL_LAB_RAY_ADDRESS=//p' "$RUN_DIR/env")"
        else say "ray: NOT running (pid $pid)"; state=3; fi
    fi
    for f in "$RUN_DIR"/replica-*.pid; do
        [ -e "$f" ] || continue
        name=$(basename "$f" .pid) pid=$(cat "$f") port=$(cat "$RUN_DIR/$name.port" 2>/dev/null || echo '?')
        if alive "$pid" && healthy "http://127.0.0.1:$port"; then say "$name: healthy (pid $pid) on 127.0.0.1:$port"
        else say "$name: NOT healthy (pid $pid) on 127.0.0.1:$port"; state=3; fi
    done
    pid=$(pid_of nginx)
    if [ -z "$pid" ]; then
        say "nothing is running from $RUN_DIR"
        return 3
    fi
    if alive "$pid" && healthy "$(cat "$RUN_DIR/probe-url" 2>/dev/null)"; then say "nginx: running (pid $pid) at $(cat "$RUN_DIR/url")"
    else say "nginx: NOT running (pid $pid)"; state=3; fi
    return $state
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    *) echo "usage: $0 start|stop|status   (settings: see the top of this file)" >&2; exit 2 ;;
esac
