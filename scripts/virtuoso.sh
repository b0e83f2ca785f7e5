#!/usr/bin/env bash
# OpenLink Virtuoso 7 (Debian's virtuoso-opensource-7) as the toolbox's external SPARQL store.
#
#   scripts/virtuoso.sh install                       – the Debian package, if missing (root or sudo)
#   scripts/virtuoso.sh start DIR HTTP_PORT SQL_PORT FILE.nq [stock|tuned]
#                                                     – a fresh database in DIR, FILE.nq loaded into its
#                                                       named graphs, served on 127.0.0.1:HTTP_PORT/sparql
#   scripts/virtuoso.sh stop DIR                      – stop the server started in DIR
#
# "tuned" (the default) is the configuration docs/deployment.md asks for: the default graph holds only
# the toolbox's own graphs (graph permissions: everything else private to the SPARQL user), a row cap
# above the dataset's size, and a time limit. "stock" keeps Virtuoso's defaults (10 000 rows, every graph
# in the default graph), so the suite can check that the site refuses to start on it.
# VIRTUOSO_MAX_ROWS and VIRTUOSO_TIMEOUT (seconds) change the tuned row cap and time limit.
set -euo pipefail

die() { echo "virtuoso.sh: $*" >&2; exit 1; }

install() {
  command -v virtuoso-t >/dev/null 2>&1 && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -q
  # The package's post-install script asks for a DBA password; answering non-interactively keeps the
  # default, which is never used here: every database this script makes is new and bound to 127.0.0.1.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends virtuoso-opensource-7
  # Debian starts a system-wide server on 8890/1111; the toolbox runs its own, so stop that one.
  $sudo service virtuoso-opensource-7 stop >/dev/null 2>&1 || true
}

isql() {  # isql PORT 'statements;' – fails on any error (isql itself exits 0 after one)
  local out
  out=$(isql-vt "127.0.0.1:$1" dba dba "exec=$2" 2>&1) || { echo "$out" >&2; return 1; }
  if grep -q '\*\*\* Error' <<<"$out"; then echo "$out" | grep -A2 '\*\*\* Error' >&2; return 1; fi
}

start() {
  [ $# -ge 4 ] || die "gebruik: start DIR HTTP_PORT SQL_PORT FILE.nq [stock|tuned]"
  DIR=$(realpath -m "$1"); local http=$2 sql=$3 nq; nq=$(realpath "$4"); local mode=${5:-tuned}
  command -v virtuoso-t >/dev/null 2>&1 || die "virtuoso-t ontbreekt: eerst 'scripts/virtuoso.sh install'"
  [ -f "$nq" ] || die "$nq bestaat niet (eerst 'toolbox build')"
  rm -rf "$DIR"; mkdir -p "$DIR/load"
  cp "$nq" "$DIR/load/graph.nq"
  local rows=10000 timeout=0   # Virtuoso's own defaults
  if [ "$mode" = tuned ]; then rows=${VIRTUOSO_MAX_ROWS:-10000000}; timeout=${VIRTUOSO_TIMEOUT:-30}; fi
  cat > "$DIR/virtuoso.ini" <<EOF
[Database]
DatabaseFile = $DIR/virtuoso.db
ErrorLogFile = $DIR/virtuoso.log
LockFile = $DIR/virtuoso.lck
TransactionFile = $DIR/virtuoso.trx
xa_persistent_file = $DIR/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = $DIR/virtuoso-temp.db
TransactionFile = $DIR/virtuoso-temp.trx
Striping = 0
[Parameters]
ServerPort = 127.0.0.1:$sql
DisableUnixSocket = 1
MaxClientConnections = 20
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., $DIR/load
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
MaxQueryMem = 512M
ThreadsPerQuery = 2
[HTTPServer]
ServerPort = 127.0.0.1:$http
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
MaxClientConnections = 20
ServerThreads = 20
EnabledDavVSP = 0
HTTPProxyEnabled = 0
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = $rows
MaxSortedTopRows = $rows
MaxQueryExecutionTime = $timeout
MaxQueryCostEstimationTime = 0
DefaultQuery = SELECT * WHERE { ?s ?p ?o } LIMIT 10
EOF
  # The pid file names the server itself: the shell writes its own pid and then becomes virtuoso-t (exec),
  # whatever setsid and the subshell fork on the way (`$!` named a parent, so `stop` left the server running).
  rm -f "$DIR/server.pid"
  (cd "$DIR" && setsid sh -c 'echo $$ > server.pid.new && mv server.pid.new server.pid && exec virtuoso-t +foreground +configfile "$1"' \
    sh "$DIR/virtuoso.ini" </dev/null >"$DIR/server.out" 2>&1 &) >/dev/null 2>&1
  local i
  for i in $(seq 1 40); do [ -s "$DIR/server.pid" ] && break; sleep 0.25; done
  [ -s "$DIR/server.pid" ] || die "Virtuoso startte niet (geen server.pid)"
  for i in $(seq 1 120); do
    isql "$sql" "status();" 2>/dev/null && break
    kill -0 "$(cat "$DIR/server.pid")" 2>/dev/null || { cat "$DIR/server.out" >&2; die "Virtuoso stopte bij het starten"; }
    sleep 0.5
  done
  isql "$sql" "ld_dir('$DIR/load', 'graph.nq', 'urn:toolbox:zonder-graaf'); rdf_loader_run(); checkpoint;"
  if [ "$mode" = tuned ]; then
    local base graphs g
    base=$(grep -m1 -o '<[^>]*/graph/inhoud>' "$nq" | sed 's#^<##; s#/graph/inhoud>$##')
    [ -n "$base" ] || die "geen graaf <…/graph/inhoud> in $nq"
    graphs="$base/graph/inhoud $base/graph/ontologie $base/graph/afgeleid"
    # Graph-level security: Virtuoso's own graphs private, the SPARQL user ('nobody') reads only ours.
    local private="http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs"
    local sql_text="DB.DBA.RDF_GRAPH_GROUP_CREATE ('$private', 1);
      DB.DBA.RDF_GRAPH_GROUP_INS ('$private', 'http://www.openlinksw.com/schemas/virtrdf#');
      DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 0); DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 0, 1);"
    for g in $graphs; do sql_text="$sql_text DB.DBA.RDF_GRAPH_USER_PERMS_SET ('$g', 'nobody', 1);"; done
    isql "$sql" "$sql_text checkpoint;"
  fi
  echo "http://127.0.0.1:$http/sparql"
}

stop() {
  DIR=$(realpath -m "$1")
  [ -f "$DIR/server.pid" ] || return 0
  local pid; pid=$(cat "$DIR/server.pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$DIR/server.pid"
}

case "${1:-}" in
  install) install ;;
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  *) die "gebruik: install | start DIR HTTP_PORT SQL_PORT FILE.nq [stock|tuned] | stop DIR" ;;
esac
