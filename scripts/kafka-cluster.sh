#!/usr/bin/env bash
# A real Apache Kafka cluster in KRaft mode for Ballast's integration tests: plain JVM processes on
# loopback, no containers. One dedicated controller (node id 100) and N brokers (ids 1..N), each
# broker with broker.rack set, alternating over R racks (rack-a, rack-b, ...).
#
# The broker jars come from the Maven repository through scripts/kafka/pom.xml and are kept in
# <state dir>/jars/<version>/, so only the first start downloads anything; freshly formatted storage
# and a class data archive are kept beside them to make later starts faster. Everything a run writes
# (configs, data, logs, pid files) lives in <state dir>/cluster/.
#
# Usage: scripts/kafka-cluster.sh COMMAND [options]
#
#   start                  fetch jars, write configs, format storage, start the controller and the
#                          brokers, wait until every broker answers; prints the bootstrap string
#                          (the only thing written to stdout)
#   stop                   stop every node (TERM, then KILL after the grace period) and delete data
#                          and logs; --keep keeps both, --keep-logs keeps the logs
#   status                 list the nodes with their pid, state and resident memory
#                          (exit 0 when every node runs, 1 otherwise)
#   logs [ID]              print the tail of each node's logs (or of node ID's)
#   bootstrap              print the bootstrap string of the cluster in the state dir
#   start-broker ID        start one broker again (after stop-broker) and wait until it answers
#   stop-broker ID         stop one broker (controlled shutdown); --kill sends SIGKILL instead
#
# Options:
#   --version V            Kafka version (default 3.9.2; 4.x works too)       env KAFKA_VERSION
#   --brokers N            number of brokers, ids 1..N (default 4)
#   --racks R              number of racks the brokers alternate over (default 2)
#   --dir DIR              state dir (default .kafka/ under the repository root)  env KAFKA_STATE_DIR
#   --base-port P          broker i listens on P+i-1, the controller on P+100 (default 39092)
#   --timeout S            how long start waits for the cluster (default 120)
#   --grace S              how long stop waits after TERM before KILL (default 20)
#   --secure               start: secured mode (below)
#   --fresh                start: delete data and logs left by an earlier run first
#   --keep, --keep-logs    stop: keep data and logs / keep only the logs
#   --kill                 stop-broker: SIGKILL instead of a controlled shutdown
#   --lines N              logs: how many lines of each log (default 40)
#
# Secured mode (--secure): a test CA and certificates are made at start (openssl, keytool) under
# <state dir>/cluster/secure/, and every broker gets, besides its PLAINTEXT listener on P+i-1, a
# SASL_SSL listener on P+10+i-1 (PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512) and an SSL listener with
# required client certificates (mutual TLS) on P+20+i-1. KRaft's StandardAuthorizer checks ACLs on
# every listener; the PLAINTEXT listener's User:ANONYMOUS (brokers, controller, test setup) is a
# super user. Users: `ballast` and `reader`, each with a random password, known to PLAIN and SCRAM;
# client certificates CN=ballast-client and CN=ballast-reader. secure/secure.env lists the listeners,
# the passwords and the files (PEM, PKCS12 and JKS). ACLs are left to the caller.
#
# Environment: KAFKA_BROKER_HEAP (default 768m: 256m ran out under the executor suite), KAFKA_CONTROLLER_HEAP (default 192m),
# KAFKA_JVM_OPTS (extra JVM flags), KAFKA_CDS=0 (no class data sharing), JAVA_HOME, MAVEN_ARGS
# (extra arguments to mvn).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
readonly SCRIPT_DIR REPO_ROOT
readonly CONTROLLER_ID=100
# A fixed cluster id: base64url of the 16 bytes "BallastKafkaTest".
readonly CLUSTER_ID="QmFsbGFzdEthZmthVGVzdA"

# ---- options --------------------------------------------------------------------------------------

command="${1:-}"
[[ $# -gt 0 ]] && shift
version="${KAFKA_VERSION:-3.9.2}"
brokers=4
racks=2
state_dir="${KAFKA_STATE_DIR:-$REPO_ROOT/.kafka}"
base_port=39092
timeout_s=120
grace_s=20
lines=40
fresh=0
secure=0
keep_data=0
keep_logs=0
hard_kill=0
target_id=""
# Which of the cluster-shaping options were given, so that commands other than start can take the
# rest from the running cluster's recorded settings.
explicit=""

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//'
}

die() {
  echo "kafka-cluster: error: $*" >&2
  exit 1
}

say() {
  echo "kafka-cluster: $*" >&2
}

need_value() {
  [[ $# -ge 2 && -n "$2" ]] || die "$1 needs a value"
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --version) need_value "$@"; version="$2"; explicit+=" version"; shift 2 ;;
    --brokers) need_value "$@"; brokers="$2"; explicit+=" brokers"; shift 2 ;;
    --racks) need_value "$@"; racks="$2"; explicit+=" racks"; shift 2 ;;
    --dir) need_value "$@"; state_dir="$2"; shift 2 ;;
    --base-port) need_value "$@"; base_port="$2"; explicit+=" base_port"; shift 2 ;;
    --timeout) need_value "$@"; timeout_s="$2"; shift 2 ;;
    --grace) need_value "$@"; grace_s="$2"; shift 2 ;;
    --lines) need_value "$@"; lines="$2"; shift 2 ;;
    --fresh) fresh=1; shift ;;
    --secure) secure=1; explicit+=" secure"; shift ;;
    --keep) keep_data=1; keep_logs=1; shift ;;
    --keep-logs) keep_logs=1; shift ;;
    --kill) hard_kill=1; shift ;;
    -h | --help) usage; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *)
      [[ -z "$target_id" ]] || die "unexpected argument $1"
      target_id="$1"
      shift
      ;;
  esac
done

is_uint() {
  [[ "$1" =~ ^[0-9]+$ ]]
}

# in_range VALUE LOW HIGH: VALUE is a whole number in LOW..HIGH
in_range() {
  is_uint "$1" && (($1 >= $2 && $1 <= $3))
}

in_range "$brokers" 1 99 || die "--brokers must be 1..99, not $brokers"
((secure == 0 || brokers <= 10)) || die "--secure takes at most 10 brokers (listeners on P..P+29), not $brokers"
in_range "$racks" 1 26 || die "--racks must be 1..26, not $racks"
in_range "$base_port" 1024 65435 || die "--base-port must be 1024..65435 (101 ports are used), not $base_port"
is_uint "$timeout_s" || die "--timeout must be a number of seconds, not $timeout_s"
is_uint "$grace_s" || die "--grace must be a number of seconds, not $grace_s"
is_uint "$lines" || die "--lines must be a number, not $lines"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "--version must look like 3.9.2, not $version"

mkdir -p "$state_dir"
state_dir="$(cd "$state_dir" && pwd)"
readonly RUN_DIR="$state_dir/cluster"
readonly SETTINGS="$RUN_DIR/cluster.env"

# ---- cluster layout -------------------------------------------------------------------------------

# The settings a started cluster was made with are recorded, and every later command uses them
# unless the option was given again.
load_settings() {
  [[ -f "$SETTINGS" ]] || return 0
  local key value
  while IFS='=' read -r key value; do
    [[ " $explicit " == *" $key "* ]] && continue
    case "$key" in
      version) version="$value" ;;
      brokers) brokers="$value" ;;
      racks) racks="$value" ;;
      base_port) base_port="$value" ;;
      secure) secure="$value" ;;
    esac
  done <"$SETTINGS"
}

save_settings() {
  mkdir -p "$RUN_DIR"
  settings_text >"$SETTINGS"
}

settings_text() {
  printf 'version=%s\nbrokers=%s\nracks=%s\nbase_port=%s\nsecure=%s\n' \
    "$version" "$brokers" "$racks" "$base_port" "$secure"
}

major_version() {
  echo "${version%%.*}"
}

broker_ids() {
  seq 1 "$brokers"
}

# node ids: the controller first, then the brokers
node_ids() {
  echo "$CONTROLLER_ID"
  broker_ids
}

node_name() {
  if [[ "$1" == "$CONTROLLER_ID" ]]; then echo "controller-$1"; else echo "broker-$1"; fi
}

node_port() {
  if [[ "$1" == "$CONTROLLER_ID" ]]; then echo $((base_port + 100)); else echo $((base_port + $1 - 1)); fi
}

# rack-a, rack-b, ... alternating over the brokers in id order
broker_rack() {
  local index=$((($1 - 1) % racks))
  printf 'rack-%b' "\\x$(printf '%x' $((97 + index)))"
}

bootstrap_string() {
  local id out=""
  for id in $(broker_ids); do
    out+="${out:+,}127.0.0.1:$(node_port "$id")"
  done
  echo "$out"
}

# Secured mode: the port of broker $1's listener of kind $2 (0 PLAINTEXT, 1 SASL_SSL, 2 SSL).
listener_port() { echo $((base_port + 10 * $2 + $1 - 1)); }

secure_bootstrap() {
  local id out=""
  for id in $(broker_ids); do
    out+="${out:+,}127.0.0.1:$(listener_port "$id" "$1")"
  done
  echo "$out"
}

props_file() { echo "$RUN_DIR/config/$(node_name "$1").properties"; }
data_dir() { echo "$RUN_DIR/data/$(node_name "$1")"; }
log_dir() { echo "$RUN_DIR/logs/$(node_name "$1")"; }
pid_file() { echo "$RUN_DIR/pids/$(node_name "$1").pid"; }
jar_dir() { echo "$state_dir/jars/$version"; }

# ---- processes ------------------------------------------------------------------------------------

# Prints the pid of a running node, or fails. A pid only counts while its command line still names
# the node's own properties file, so a recycled pid is never signalled.
node_pid() {
  local file pid args
  file="$(pid_file "$1")"
  [[ -f "$file" ]] || return 1
  pid="$(<"$file")"
  is_uint "$pid" || return 1
  args="$(ps -ww -o args= -p "$pid" 2>/dev/null)" || return 1
  [[ "$args" == *"$(props_file "$1")"* ]] || return 1
  echo "$pid"
}

is_running() {
  node_pid "$1" >/dev/null
}

# Whether a node started by this script has ended: its recorded process is gone. Not `! is_running`,
# which is also true for the instant after the start, before the forked shell has become the JVM
# (its command line is not yet the node's); on a busy machine that instant can outlast a poll.
has_exited() {
  local file pid
  file="$(pid_file "$1")"
  [[ -f "$file" ]] || return 1
  pid="$(<"$file")"
  is_uint "$pid" || return 1
  ! kill -0 "$pid" 2>/dev/null
}

port_in_use() {
  if command -v ss >/dev/null; then
    [[ -n "$(ss -Htln "sport = :$1" 2>/dev/null)" ]]
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

java_bin() {
  if [[ -n "${JAVA_HOME:-}" ]]; then echo "$JAVA_HOME/bin/java"; else echo java; fi
}

# Checks that java can run this Kafka version; sets java_build (the JVM's exact build, for naming the
# class data archive).
java_build=""
check_java() {
  local java feature settings
  java="$(java_bin)"
  command -v "$java" >/dev/null || die "java not found (install a JDK 17 or set JAVA_HOME)"
  settings="$("$java" -XshowSettings:properties -version 2>&1)"
  feature="$(sed -n 's/^ *java\.specification\.version = //p' <<<"$settings")"
  java_build="$(sed -n 's/^ *java\.vm\.version = //p' <<<"$settings" | tr -c 'A-Za-z0-9.\n' '_')"
  feature="${feature#1.}"
  is_uint "$feature" || die "cannot tell the Java version of $java"
  if (($(major_version) >= 4 && feature < 17)); then
    die "Kafka $version needs Java 17 or newer; $java is Java $feature"
  elif ((feature < 11)); then
    die "Kafka $version needs Java 11 or newer; $java is Java $feature"
  fi
}

# ---- class data sharing ---------------------------------------------------------------------------
#
# Five JVMs loading the same Scala and Kafka classes on two cores make start-up CPU-bound. A dynamic
# class data archive (JDK 13+) cuts a broker's start-up CPU by about 40%. The first broker of a run
# that has no archive yet records one when it exits normally (stop or stop-broker); it is checked
# with -Xshare:on before use, because a JVM given a damaged archive crashes. The archive belongs to
# one JVM build and one jar folder: <state dir>/jars/<version>/kafka-<JVM build>.jsa.
# KAFKA_CDS=0 turns this off.

cds_archive() {
  echo "$(jar_dir)/kafka-$java_build.jsa"
}

# JVM flags for class data sharing for node $1 (none, use the archive, or record it).
cds_opts() {
  [[ "${KAFKA_CDS:-1}" != 0 && -n "$java_build" ]] || return 0
  if [[ -f "$(cds_archive)" ]]; then
    echo "-XX:SharedArchiveFile=$(cds_archive)"
  elif [[ "$1" == 1 && ! -f "$(cds_archive).pending" ]]; then
    echo "-XX:ArchiveClassesAtExit=$(cds_archive).pending"
  fi
}

# Turns a recorded archive into the one in use if this JVM can map it; drops it otherwise. Only
# called while no node that could still be writing it runs.
promote_archive() {
  local pending
  pending="$(cds_archive).pending"
  [[ -n "$java_build" && -f "$pending" ]] || return 0
  if (cd "$(jar_dir)" && "$(java_bin)" -Xshare:on -XX:SharedArchiveFile="$pending" \
    -XX:ErrorFile=/dev/null -cp "$(jar_dir)/*" -version) >/dev/null 2>&1; then
    mv -f "$pending" "$(cds_archive)"
  else
    rm -f "$pending"
  fi
}

# Starts one node in the background with a small heap; its stdout and stderr go to <node>.out.
start_node() {
  local id="$1" heap logging_opts cds
  cds="$(cds_opts "$id")"
  if [[ "$id" == "$CONTROLLER_ID" ]]; then
    heap="${KAFKA_CONTROLLER_HEAP:-192m}"
  else
    heap="${KAFKA_BROKER_HEAP:-768m}"
  fi
  if (($(major_version) >= 4)); then
    logging_opts=(-Dlog4j2.configurationFile="$RUN_DIR/config/log4j2.properties")
  else
    logging_opts=(-Dlog4j.configuration="file:$RUN_DIR/config/log4j.properties")
  fi
  mkdir -p "$(log_dir "$id")" "$RUN_DIR/pids"
  # Where this run's part of server.log begins (the log-watching readiness check reads from there).
  stat -c %s "$(log_dir "$id")/server.log" 2>/dev/null >"$(log_dir "$id").offset" ||
    echo 0 >"$(log_dir "$id").offset"
  # Serial GC and C1 only: five JVMs share two cores, and start-up time matters more here than peak
  # throughput. KAFKA_JVM_OPTS is split on spaces on purpose.
  # shellcheck disable=SC2086
  nohup "$(java_bin)" \
    -Xms32m -Xmx"$heap" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData $cds \
    -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true -Djava.net.preferIPv4Stack=true \
    -Dkafka.logs.dir="$(log_dir "$id")" "${logging_opts[@]}" ${KAFKA_JVM_OPTS:-} \
    -cp "$(jar_dir)/*" kafka.Kafka "$(props_file "$id")" \
    </dev/null >"$(log_dir "$id").out" 2>&1 9>&- &
  echo $! >"$(pid_file "$id")"
}

# Sends TERM (or KILL) to one node and waits until it is gone; KILL after the grace period.
stop_node() {
  local id="$1" signal="$2" pid waited=0
  pid="$(node_pid "$id")" || { rm -f "$(pid_file "$id")"; return 0; }
  kill "-$signal" "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= grace_s * 10)); then
      say "$(node_name "$id") did not stop within ${grace_s}s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      waited=0
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  rm -f "$(pid_file "$id")"
}

# Stops every broker at once: signal them all, then wait for each.
stop_brokers() {
  local signal="$1" id pid
  for id in $(broker_ids); do
    if pid="$(node_pid "$id")"; then
      kill "-$signal" "$pid" 2>/dev/null || true
    fi
  done
  for id in $(broker_ids); do
    stop_node "$id" "$signal"
  done
}

# ---- logs -----------------------------------------------------------------------------------------

print_node_logs() {
  local id="$1" file
  for file in "$(log_dir "$id").out" "$(log_dir "$id")/server.log"; do
    [[ -s "$file" ]] || continue
    echo "==== $(node_name "$id"): ${file#"$state_dir"/} (last $lines lines)"
    tail -n "$lines" "$file"
  done
}

print_all_logs() {
  local id
  for id in $(node_ids); do
    print_node_logs "$id"
  done
}

# ---- start ----------------------------------------------------------------------------------------

# Fetches kafka_2.13:<version> with its runtime dependencies and a logging backend, once.
fetch_jars() {
  local dir tmp logging out
  dir="$(jar_dir)"
  [[ -f "$dir/.complete" ]] && return 0
  command -v mvn >/dev/null || die "mvn not found: Maven is needed once to fetch the Kafka $version jars"
  if (($(major_version) >= 4)); then logging=log4j2; else logging=reload4j; fi
  say "fetching Kafka $version jars into ${dir#"$REPO_ROOT"/} (first run only)"
  tmp="$dir.partial.$$"
  rm -rf "$tmp"
  # MAVEN_ARGS is split on spaces on purpose.
  # shellcheck disable=SC2086
  if ! out="$(mvn -B -q -f "$SCRIPT_DIR/kafka/pom.xml" ${MAVEN_ARGS:-} \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" \
    -Dkafka.version="$version" -Dkafka.logging="$logging" 2>&1)"; then
    rm -rf "$tmp"
    echo "$out" | tail -n 30 >&2
    die "could not fetch org.apache.kafka:kafka_2.13:$version (does that version exist?)"
  fi
  ls "$tmp"/kafka_2.13-"$version".jar >/dev/null 2>&1 || die "Maven did not deliver kafka_2.13-$version.jar"
  rm -rf "$dir"
  mv "$tmp" "$dir"
  touch "$dir/.complete"
}

# ---- secured mode ---------------------------------------------------------------------------------

secure_dir() { echo "$RUN_DIR/secure"; }

# Makes the test CA, the brokers' certificate (for 127.0.0.1 and localhost) in a PKCS12 key store, a
# PKCS12 trust store, and client certificates as PEM, PKCS12 and JKS; random passwords for the
# stores and the SASL users. Everything goes to secure/, listed in secure/secure.env.
make_secrets() {
  local dir client store_pw ballast_pw reader_pw
  command -v openssl >/dev/null || die "openssl not found: --secure makes its certificates with it"
  command -v keytool >/dev/null || die "keytool not found: --secure makes its stores with it (it comes with the JDK)"
  dir="$(secure_dir)"
  rm -rf "$dir"
  mkdir -p "$dir"
  chmod 700 "$dir"
  store_pw="$(openssl rand -hex 12)"
  ballast_pw="$(openssl rand -hex 12)"
  reader_pw="$(openssl rand -hex 12)"
  (
    cd "$dir"
    openssl req -x509 -newkey rsa:2048 -nodes -days 7 -subj "/CN=Ballast Test CA" \
      -keyout ca.key -out ca.crt
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout broker.key -out broker.csr
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >broker.ext
    openssl x509 -req -days 7 -in broker.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
      -extfile broker.ext -out broker.crt
    openssl pkcs12 -export -in broker.crt -inkey broker.key -certfile ca.crt -name broker \
      -passout "pass:$store_pw" -out broker.p12
    keytool -importcert -noprompt -alias ca -file ca.crt -storetype PKCS12 \
      -keystore truststore.p12 -storepass "$store_pw"
    keytool -importcert -noprompt -alias ca -file ca.crt -storetype JKS \
      -keystore truststore.jks -storepass "$store_pw"
    for client in ballast-client ballast-reader; do
      openssl req -newkey rsa:2048 -nodes -subj "/CN=$client" -keyout "$client.key" -out "$client.csr"
      openssl x509 -req -days 7 -in "$client.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$client.crt"
      openssl pkcs12 -export -in "$client.crt" -inkey "$client.key" -certfile ca.crt -name "$client" \
        -passout "pass:$store_pw" -out "$client.p12"
      keytool -importkeystore -noprompt -srckeystore "$client.p12" -srcstoretype PKCS12 \
        -srcstorepass "$store_pw" -destkeystore "$client.jks" -deststoretype JKS -deststorepass "$store_pw"
    done
    rm -f ./*.csr broker.ext ca.srl
  ) >"$dir/make.log" 2>&1 || { cat "$dir/make.log" >&2; die "making the test certificates failed"; }
  cat >"$dir/secure.env" <<EOF
dir=$dir
sasl_ssl_bootstrap=$(secure_bootstrap 1)
ssl_bootstrap=$(secure_bootstrap 2)
store_password=$store_pw
ballast_password=$ballast_pw
reader_password=$reader_pw
EOF
  chmod 600 "$dir/secure.env"
}

# Reads one value of secure/secure.env.
secret() {
  sed -n "s/^$1=//p" "$(secure_dir)/secure.env"
}

# The security properties of node $1 in secured mode.
secure_props() {
  local dir store_pw
  ((secure)) || return 0
  dir="$(secure_dir)"
  store_pw="$(secret store_password)"
  cat <<EOF
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:ANONYMOUS
EOF
  [[ "$1" == "$CONTROLLER_ID" ]] && return 0
  cat <<EOF
ssl.keystore.type=PKCS12
ssl.keystore.location=$dir/broker.p12
ssl.keystore.password=$store_pw
ssl.key.password=$store_pw
ssl.truststore.type=PKCS12
ssl.truststore.location=$dir/truststore.p12
ssl.truststore.password=$store_pw
listener.name.ssl.ssl.client.auth=required
ssl.principal.mapping.rules=RULE:^CN=([^,]+)\$/\$1/,DEFAULT
listener.name.sasl_ssl.sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_ballast="$(secret ballast_password)" user_reader="$(secret reader_password)";
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
EOF
}

# The listeners of broker $1 (PLAINTEXT only, or the three of secured mode).
broker_listeners() {
  local id="$1"
  if ((secure)); then
    echo "PLAINTEXT://127.0.0.1:$(node_port "$id"),SASL_SSL://127.0.0.1:$(listener_port "$id" 1),SSL://127.0.0.1:$(listener_port "$id" 2)"
  else
    echo "PLAINTEXT://127.0.0.1:$(node_port "$id")"
  fi
}

# SCRAM credentials are metadata records: in KRaft they are written when the controller's storage is
# formatted (Kafka 3.5 and newer).
scram_format_args() {
  local user mechanism
  ((secure)) || return 0
  for user in ballast reader; do
    for mechanism in SCRAM-SHA-256 SCRAM-SHA-512; do
      printf '%s\n' --add-scram "$mechanism=[name=$user,password=$(secret "${user}_password")]"
    done
  done
}

# Properties shared by the controller and the brokers.
common_props() {
  local id="$1"
  cat <<EOF
node.id=$id
controller.quorum.voters=$CONTROLLER_ID@127.0.0.1:$(node_port "$CONTROLLER_ID")
controller.listener.names=CONTROLLER
log.dirs=$(data_dir "$id")
num.network.threads=2
num.io.threads=2
background.threads=2
num.recovery.threads.per.data.dir=1
EOF
}

write_configs() {
  local id offsets_rf isr
  mkdir -p "$RUN_DIR/config"
  cp "$SCRIPT_DIR/kafka/log4j.properties" "$SCRIPT_DIR/kafka/log4j2.properties" "$RUN_DIR/config/"
  offsets_rf=$((brokers < 3 ? brokers : 3))
  isr=$((brokers < 2 ? 1 : 2))

  {
    echo "# Controller of the local test cluster (written by scripts/kafka-cluster.sh)."
    echo "process.roles=controller"
    common_props "$CONTROLLER_ID"
    cat <<EOF
listeners=CONTROLLER://127.0.0.1:$(node_port "$CONTROLLER_ID")
listener.security.protocol.map=CONTROLLER:PLAINTEXT
$(secure_props "$CONTROLLER_ID")
# A killed broker is fenced (and leaves the ISRs) after 6 s instead of 9 s.
broker.session.timeout.ms=6000
EOF
  } >"$(props_file "$CONTROLLER_ID")"

  for id in $(broker_ids); do
    {
      echo "# Broker $id of the local test cluster (written by scripts/kafka-cluster.sh)."
      echo "process.roles=broker"
      common_props "$id"
      cat <<EOF
broker.rack=$(broker_rack "$id")
listeners=$(broker_listeners "$id")
advertised.listeners=$(broker_listeners "$id")
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL
$(secure_props "$id")
inter.broker.listener.name=PLAINTEXT
broker.heartbeat.interval.ms=1000
# Tests create every topic they use, with one partition unless they say otherwise.
auto.create.topics.enable=false
num.partitions=1
default.replication.factor=1
# Internal topics: replicated where the cluster allows it, few partitions so they appear fast.
offsets.topic.replication.factor=$offsets_rf
offsets.topic.num.partitions=8
transaction.state.log.replication.factor=$offsets_rf
transaction.state.log.min.isr=$isr
transaction.state.log.num.partitions=4
group.initial.rebalance.delay.ms=0
num.replica.fetchers=1
# Leadership moves only when a test (or the executor under test) asks for it.
auto.leader.rebalance.enable=false
EOF
    } >"$(props_file "$id")"
  done
}

# Formats every node's log dir (a no-op for dirs formatted before), all nodes at once. A freshly
# formatted dir holds only what the storage tool wrote (meta.properties and, on the controller, the
# bootstrap checkpoint), so a copy of it is kept under <state dir>/formatted/<version>/ and later
# starts copy that instead of running five JVMs.
format_storage() {
  local id pids=() formatted=() failed=0 pid cache extra
  cache="$state_dir/formatted/$version"
  for id in $(node_ids); do
    mkdir -p "$(log_dir "$id")"
    [[ -d "$(data_dir "$id")" ]] && continue
    extra=()
    # In secured mode the controller's storage holds this run's SCRAM credentials: never cached.
    [[ "$id" == "$CONTROLLER_ID" ]] && mapfile -t extra < <(scram_format_args)
    if [[ ${#extra[@]} -eq 0 && -d "$cache/$(node_name "$id")" ]]; then
      mkdir -p "$RUN_DIR/data"
      cp -R "$cache/$(node_name "$id")" "$(data_dir "$id")"
      continue
    fi
    "$(java_bin)" -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData \
      -Dlog4j.configuration="file:$RUN_DIR/config/log4j.properties" \
      -Dlog4j2.configurationFile="$RUN_DIR/config/log4j2.properties" \
      -Dkafka.logs.dir="$(log_dir "$id")/format" -cp "$(jar_dir)/*" \
      kafka.tools.StorageTool format -t "$CLUSTER_ID" -c "$(props_file "$id")" --ignore-formatted "${extra[@]}" \
      >"$(log_dir "$id").format.out" 2>&1 9>&- &
    pids+=("$!")
    [[ ${#extra[@]} -eq 0 ]] && formatted+=("$id")
  done
  for pid in "${pids[@]}"; do
    wait "$pid" || failed=1
  done
  if ((failed)); then
    for id in "${formatted[@]}"; do
      echo "==== $(node_name "$id"): storage format" >&2
      tail -n 20 "$(log_dir "$id").format.out" >&2 || true
    done
    die "formatting the storage failed"
  fi
  for id in "${formatted[@]}"; do
    mkdir -p "$cache"
    cp -R "$(data_dir "$id")" "$cache/$(node_name "$id").partial.$$"
    mv "$cache/$(node_name "$id").partial.$$" "$cache/$(node_name "$id")"
  done
}

# The probe is a small kafkajs script; without kafkajs (no node_modules yet) the broker logs tell.
# It runs only once every listed broker's port is open.
probe_ready() {
  local ids="$1" bootstrap="$2" rc=0 id
  for id in ${ids//,/ }; do
    port_in_use "$(node_port "$id")" || {
      probe_error="broker $id is not listening on port $(node_port "$id") yet"
      return 1
    }
  done
  if [[ -z "${NO_NODE_PROBE:-}" ]] && command -v node >/dev/null; then
    probe_error="$(node "$SCRIPT_DIR/kafka/probe.mjs" "$bootstrap" "$ids" 2>&1)" || rc=$?
    [[ $rc -ne 2 ]] && return "$rc"
  fi
  for id in ${ids//,/ }; do
    tail -c +"$(($(cat "$(log_dir "$id").offset" 2>/dev/null || echo 0) + 1))" \
      "$(log_dir "$id")/server.log" 2>/dev/null | grep -q 'Kafka Server started' || {
      probe_error="broker $id has not logged 'Kafka Server started' yet"
      return 1
    }
  done
}

# Waits until the given brokers answer and list one another; fails early when a node dies.
wait_ready() {
  local ids="$1" bootstrap="$2" started="$SECONDS" id
  probe_error=""
  while ! probe_ready "$ids" "$bootstrap"; do
    for id in $(node_ids); do
      if has_exited "$id"; then
        say "$(node_name "$id") exited during start-up"
        return 1
      fi
    done
    if ((SECONDS - started >= timeout_s)); then
      say "not ready after ${timeout_s}s: $probe_error"
      return 1
    fi
    sleep 0.5
  done
}

# Waits until the controller listens, so that it has the machine to itself while it starts.
wait_controller() {
  local started="$SECONDS"
  until port_in_use "$(node_port "$CONTROLLER_ID")"; do
    if has_exited "$CONTROLLER_ID"; then
      say "$(node_name "$CONTROLLER_ID") exited during start-up"
      return 1
    fi
    if ((SECONDS - started >= timeout_s)); then
      say "the controller does not listen after ${timeout_s}s"
      return 1
    fi
    sleep 0.2
  done
}

fail_start() {
  print_all_logs >&2
  say "start failed; stopping the nodes (logs kept in ${RUN_DIR}/logs)"
  stop_brokers KILL
  stop_node "$CONTROLLER_ID" KILL
  exit 1
}

cmd_start() {
  local id port running=0 t0="$SECONDS"
  for id in $(node_ids); do
    if is_running "$id"; then running=1; fi
  done
  ((running == 0)) || die "a cluster is already running in $RUN_DIR (stop it first: $0 stop --dir $state_dir)"
  if ((fresh)); then
    rm -rf "$RUN_DIR"
  elif [[ -d "$RUN_DIR/data" && -f "$SETTINGS" ]]; then
    [[ "$(<"$SETTINGS")" == "$(settings_text)" ]] ||
      die "data kept in $RUN_DIR was made with other settings; start with --fresh to discard it"
  fi
  for id in $(node_ids); do
    for port in $(node_port "$id") $( ((secure)) && [[ "$id" != "$CONTROLLER_ID" ]] && echo "$(listener_port "$id" 1) $(listener_port "$id" 2)"); do
      port_in_use "$port" &&
        die "port $port ($(node_name "$id")) is in use; pick other ports with --base-port or stop what holds it"
    done
  done

  check_java
  fetch_jars
  promote_archive
  save_settings
  rm -rf "$RUN_DIR/logs"
  if ((secure)) && [[ ! -f "$(secure_dir)/secure.env" ]]; then make_secrets; fi
  write_configs
  format_storage
  say "starting Kafka $version: controller $CONTROLLER_ID, brokers 1..$brokers over $racks rack(s) in ${RUN_DIR}"
  start_node "$CONTROLLER_ID"
  wait_controller || fail_start
  for id in $(broker_ids); do
    start_node "$id"
  done
  wait_ready "$(broker_ids | paste -sd, -)" "$(bootstrap_string)" || fail_start
  say "ready after $((SECONDS - t0))s"
  bootstrap_string
}

# ---- other commands -------------------------------------------------------------------------------

require_cluster() {
  [[ -f "$SETTINGS" ]] || die "no cluster in $state_dir (start one first)"
}

require_broker_id() {
  in_range "$target_id" 1 "$brokers" ||
    die "$command needs a broker id in 1..$brokers"
}

cmd_stop() {
  local id
  if [[ ! -d "$RUN_DIR" ]]; then
    say "no cluster in $state_dir"
    return 0
  fi
  load_settings
  # Brokers first, while the controller can still grant their controlled shutdown.
  stop_brokers TERM
  stop_node "$CONTROLLER_ID" TERM
  rm -rf "$RUN_DIR/pids"
  if command -v "$(java_bin)" >/dev/null; then
    check_java
    promote_archive
  fi
  if ((!keep_data)); then
    rm -rf "$RUN_DIR/data" "$RUN_DIR/config" "$RUN_DIR/secure"
  fi
  # The settings stay with the logs, so that `logs` can still name the nodes.
  if ((!keep_logs)); then
    rm -rf "$RUN_DIR/logs" "$SETTINGS"
  fi
  rmdir "$RUN_DIR" 2>/dev/null || true
  if ((keep_logs)) && [[ -d "$RUN_DIR/logs" ]]; then
    say "stopped; logs kept in $RUN_DIR/logs"
  else
    say "stopped"
  fi
}

cmd_status() {
  local id pid state rack rss all=0
  require_cluster
  load_settings
  echo "Kafka $version in $RUN_DIR, bootstrap $(bootstrap_string)"
  printf '%-5s %-11s %-7s %-6s %-8s %-8s %s\n' node role rack port pid state rss
  for id in $(node_ids); do
    rack=-
    [[ "$id" == "$CONTROLLER_ID" ]] || rack="$(broker_rack "$id")"
    if pid="$(node_pid "$id")"; then
      state=running
      rss="$(($(ps -o rss= -p "$pid" | tr -d ' ') / 1024)) MiB"
    else
      pid=-
      state=stopped
      rss=-
      all=1
    fi
    printf '%-5s %-11s %-7s %-6s %-8s %-8s %s\n' "$id" \
      "$([[ "$id" == "$CONTROLLER_ID" ]] && echo controller || echo broker)" \
      "$rack" "$(node_port "$id")" "$pid" "$state" "$rss"
  done
  return "$all"
}

cmd_logs() {
  require_cluster
  load_settings
  if [[ -n "$target_id" ]]; then
    [[ "$target_id" == "$CONTROLLER_ID" ]] || require_broker_id
    print_node_logs "$target_id"
  else
    print_all_logs
  fi
}

cmd_start_broker() {
  require_cluster
  load_settings
  require_broker_id
  if is_running "$target_id"; then
    say "broker $target_id is already running"
    return 0
  fi
  is_running "$CONTROLLER_ID" || die "the controller is not running; start the cluster first"
  check_java
  promote_archive
  port_in_use "$(node_port "$target_id")" && die "port $(node_port "$target_id") is in use"
  start_node "$target_id"
  if ! wait_ready "$target_id" "127.0.0.1:$(node_port "$target_id")"; then
    print_node_logs "$target_id" >&2
    die "broker $target_id did not come back"
  fi
  say "broker $target_id is back"
}

cmd_stop_broker() {
  require_cluster
  load_settings
  require_broker_id
  is_running "$target_id" || { say "broker $target_id is not running"; return 0; }
  if ((hard_kill)); then
    stop_node "$target_id" KILL
    say "broker $target_id killed"
  else
    stop_node "$target_id" TERM
    say "broker $target_id stopped"
  fi
}

# Commands that change the cluster take a lock on the state dir, so that two of them never work on
# the same files at once (start fails at once; the others wait their turn).
lock_state_dir() {
  command -v flock >/dev/null || return 0
  exec 9>"$state_dir/.lock"
  if [[ "$command" == start ]]; then
    flock -n 9 || die "another kafka-cluster.sh is working on $state_dir; for a second cluster use another --dir and --base-port"
  else
    flock -w 300 9 || die "timed out waiting for another kafka-cluster.sh working on $state_dir"
  fi
}

case "$command" in
  start | stop | start-broker | stop-broker) lock_state_dir ;;
esac

case "$command" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  logs) cmd_logs ;;
  bootstrap) require_cluster; load_settings; bootstrap_string ;;
  start-broker) cmd_start_broker ;;
  stop-broker) cmd_stop_broker ;;
  -h | --help | help) usage ;;
  "") usage >&2; exit 64 ;;
  *) die "unknown command $command (see --help)" ;;
esac
