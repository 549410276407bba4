#!/usr/bin/env bash
# scripts/bolt-server.sh start|stop|status: ArcadeDB Bolt server (pip arcadedb-embedded) for the Neo4j adapter tests
set -euo pipefail
PY=${PYTHON:-python3}; BOLT_PORT=${MEDKG_BOLT_PORT:-7688}; HTTP_PORT=${MEDKG_ARCADEDB_HTTP_PORT:-2481}
PW=${MEDKG_BOLT_PASSWORD:-medkg-test-pw}; DB=${MEDKG_BOLT_DATABASE:-neo4j}      # ArcadeDB wants >= 8 chars
STATE=${MEDKG_BOLT_STATE:-${TMPDIR:-/tmp}/medkg-bolt}; PIDF=$STATE/server.pid; LOG=$STATE/server.log
running() { [ -f "$PIDF" ] && kill -0 "$(cat "$PIDF")" 2>/dev/null; }
start() {
  if running; then echo "already running (pid $(cat "$PIDF"))"; return 0; fi
  PKG=$("$PY" -c 'import importlib.util as u,os;s=u.find_spec("arcadedb_embedded");print(os.path.dirname(s.origin) if s else "")')
  [ -x "$PKG/jre/bin/java" ] || { echo "arcadedb-embedded is not installed for $PY" >&2; return 2; }
  for p in "$BOLT_PORT" "$HTTP_PORT"; do   # a stale server would answer the readiness probe
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "port $p already in use" >&2; return 1; fi; done
  rm -rf "$STATE/root"; mkdir -p "$STATE"; STATE=$(cd "$STATE" && pwd); LOG=$STATE/server.log  # fresh, empty store on every start
  # Run from $STATE: ArcadeDB writes its log/ folder into the working directory.
  (cd "$STATE" && exec nohup "$PKG/jre/bin/java" -Xmx"${MEDKG_BOLT_HEAP:-2g}" -Djava.awt.headless=true -Dfile.encoding=UTF8 -XX:ErrorFile="$STATE/hs_err_%p.log" \
    --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Dpolyglot.engine.WarnInterpreterOnly=false \
    --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/java.nio.channels.spi=ALL-UNNAMED \
    --add-opens=java.base/java.lang=ALL-UNNAMED -cp "$PKG/jars/*" -Darcadedb.server.rootPath="$STATE/root" \
    -Darcadedb.server.rootPassword="$PW" -Darcadedb.server.defaultDatabases="$DB[root]" \
    -Darcadedb.server.httpIncomingHost=127.0.0.1 -Darcadedb.server.httpIncomingPort="$HTTP_PORT" \
    -Darcadedb.server.plugins=Bolt:com.arcadedb.bolt.BoltProtocolPlugin -Darcadedb.bolt.host=127.0.0.1 -Darcadedb.bolt.port="$BOLT_PORT" \
    com.arcadedb.server.ArcadeDBServer >"$LOG" 2>&1 </dev/null) &
  echo $! >"$PIDF"
  # Ready = a query in $DB succeeds: Bolt listens ~0.4 s before $DB exists, and after a failed start the JVM lingers.
  if "$PY" - "$(cat "$PIDF")" "$BOLT_PORT" "$PW" "$DB" "$LOG" <<'EOF'; then echo "bolt://127.0.0.1:$BOLT_PORT ready (db $DB)"; return 0; fi
import os, sys, time; from neo4j import GraphDatabase
pid, port, pw, db, log = int(sys.argv[1]), *sys.argv[2:]; end = time.monotonic() + 90
with GraphDatabase.driver(f"bolt://127.0.0.1:{port}", auth=("root", pw), connection_timeout=2) as d:
    while time.monotonic() < end:
        try: os.kill(pid, 0)
        except OSError: sys.exit("server process died")
        if 'Exception in thread "main"' in open(log, errors="replace").read(): sys.exit("server failed to start")
        try:
            with d.session(database=db) as s: s.run("RETURN 1").consume(); sys.exit(0)   # auto-commit: no retries
        except Exception: time.sleep(0.25)
sys.exit("timed out waiting for Bolt")
EOF
  tail -30 "$LOG" >&2; stop; return 1
}
stop() {
  if ! running; then rm -f "$PIDF"; echo "not running"; return 0; fi
  PID=$(cat "$PIDF"); kill -TERM "$PID"                         # SIGTERM = clean shutdown in 1.5-2.5 s
  for _ in $(seq 60); do kill -0 "$PID" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$PID" 2>/dev/null; then kill -KILL "$PID"; fi; rm -f "$PIDF"; echo "stopped"
}
case "${1:-}" in start) start ;; stop) stop ;; status) if running; then echo "running (pid $(cat "$PIDF"))"; else echo "not running"; exit 3; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 64 ;; esac
