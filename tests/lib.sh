# Shared by the shell test scripts: counters, checks, epubcheck.
# shellcheck shell=sh
pass=0
fail=0
EPUBCHECK_JAR=${EPUBCHECK_JAR:-/usr/share/java/epubcheck.jar}

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { # check DESCRIPTION COMMAND...
	d=$1; shift
	if "$@"; then ok; else bad "$d"; fi
}

# epubcheck BOOK: passes only with 0 errors and 0 warnings.
epubcheck_clean() {
	out=$(java -jar "$EPUBCHECK_JAR" "$1" 2>&1)
	rc=$?
	if [ $rc -eq 0 ] && echo "$out" | grep -q "No errors or warnings detected"; then
		ok
	else
		bad "epubcheck $1"
		echo "$out" | grep -E "^(ERROR|WARNING|FATAL|USAGE)" | head -20
	fi
}

summary() { # summary NAME
	echo "$1: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}

# The stdin of tests/httpd.py, which exits when it closes: a sleep whose pid
# goes to PIDFILE, so that the test ends it with the server. A bare
# `sleep N |` outlived the test by minutes, holding open whatever it
# inherited (a caller capturing the suite's output then waited for it).
#   feeder PIDFILE SECONDS | python3 tests/httpd.py ... &
feeder() {
	sh -c 'echo $$ >"$1"; exec sleep "$2"' sh "$1" "$2" 2>/dev/null
}
# stop_server SERVER_PID PIDFILE: ends the server and its feeder.
stop_server() {
	kill "$1" 2>/dev/null
	[ -s "$2" ] && kill "$(cat "$2")" 2>/dev/null
	return 0
}
