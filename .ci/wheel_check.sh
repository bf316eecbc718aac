#!/usr/bin/env bash
# What is installed must run: build the wheel, install it into a fresh virtualenv in a temporary
# folder outside the checkout, migrate a fresh SQLite database there, serve it with gunicorn and
# check that GET /login answers 200. Cleans up after itself; any failure exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
python=${PYTHON:-python3}

work=$(mktemp -d "${TMPDIR:-/tmp}/quizapp-wheel-check.XXXXXX")
server_pid=""
cleanup() {
    if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
fail() {
    echo "FAIL (wheel check): $*" >&2
    if [[ -s $work/server.log ]]; then
        echo "--- gunicorn log" >&2
        tail -n 40 "$work/server.log" >&2
    fi
    exit 1
}

echo "-- build the wheel from a clean copy of the checkout"
# A build/ folder or egg-info left in the checkout would feed stale files into the wheel.
mkdir "$work/src" "$work/dist" "$work/run"
tar -C "$root" --exclude=./.git --exclude=./.venv --exclude=./build --exclude=./dist \
    --exclude='*.egg-info' --exclude=./instance --exclude='__pycache__' -cf - . \
    | tar -C "$work/src" -xf -
"$python" -m venv "$work/venv"
py=$work/venv/bin/python
"$py" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$py" -m pip wheel --quiet --disable-pip-version-check --no-deps -w "$work/dist" "$work/src" \
    || fail "the wheel did not build"
wheel=$(ls "$work"/dist/quizapp-*.whl) || fail "no wheel was built"
rm -rf "$work/src"

echo "-- install $(basename "$wheel") into a fresh virtualenv"
"$py" -m pip install --quiet --disable-pip-version-check "$wheel" || fail "the wheel did not install"

# From here on everything runs in the temporary folder, far from the checkout.
cd "$work/run"
# Configured as the README's production steps say (SQLite instead of PostgreSQL).
export DATABASE_URL="sqlite:///$work/run/quizapp.sqlite"
export QUIZAPP_ENV=production TRUSTED_HOSTS=127.0.0.1
SECRET_KEY=$("$py" -c 'import secrets; print(secrets.token_urlsafe(48))')
export SECRET_KEY
unset REDIS_URL PYTHONPATH TRUSTED_PROXIES
package=$("$py" -c 'import quizapp; print(quizapp.__file__)')
[[ $package == "$work/venv/"* ]] || fail "quizapp was imported from $package, not from the wheel"

echo "-- flask --app quizapp db upgrade"
"$work/venv/bin/flask" --app quizapp db upgrade || fail "db upgrade failed"
"$py" - <<'PY' || fail "db upgrade left no schema"
import os, sqlite3, sys
path = os.environ["DATABASE_URL"].removeprefix("sqlite:///")
tables = {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master")}
sys.exit(0 if {"alembic_version", "users"} <= tables else f"tables: {sorted(tables)}")
PY

port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "-- gunicorn 'quizapp:create_app()' on 127.0.0.1:$port"
"$work/venv/bin/gunicorn" --bind "127.0.0.1:$port" --workers 1 'quizapp:create_app()' \
    >"$work/server.log" 2>&1 &
server_pid=$!

"$py" - "$port" <<'PY' || fail "GET /login did not answer 200"
import sys, time, urllib.error, urllib.request
url = f"http://127.0.0.1:{sys.argv[1]}/login"
deadline = time.monotonic() + 60
while True:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            body = response.read().decode()
            status = response.status
        break
    except urllib.error.HTTPError as exc:
        sys.exit(f"GET /login answered {exc.code}")
    except OSError:
        if time.monotonic() > deadline:
            sys.exit("the server did not start within 60 s")
        time.sleep(0.5)
if status != 200 or 'name="password"' not in body:
    sys.exit(f"GET /login answered {status} without the log-in form")
print(f"GET /login: {status}, log-in form present")
PY

kill -TERM "$server_pid"
wait "$server_pid" || fail "gunicorn did not stop cleanly"
server_pid=""
echo "wheel check passed"
