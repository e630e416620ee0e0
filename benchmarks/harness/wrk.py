"""Load from wrk (Debian's package): one Lua script per page that rotates the
signed-in sessions' cookies (the page benchmark), or one script that sends a
mixed workload in turn (the cluster benchmark), and the figures the scripts'
``done`` hook prints."""

import json
import os
import resource
import shutil
import subprocess
from pathlib import Path

# One unmasked secret, in the csrftoken cookie and in the X-CSRFToken header.
CSRF_SECRET = "b" * 32


def wrk_path() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False)
        found = shutil.which("wrk")
    if not found:
        raise SystemExit("The page benchmark needs wrk: `apt-get install wrk` (as root).")
    return found


# Both scripts' ``done`` hook: the line of figures that wrk_run reads.
DONE_LUA = """done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), e.status,
    e.connect + e.read + e.write + e.timeout))
end
"""

LUA = (
    """
local cookies = {COOKIES}
local n = 0
local base = {HEADERS}
request = function()
  n = n + 1
  local h = {}
  for k, v in pairs(base) do h[k] = v end
  if #cookies > 0 then h["Cookie"] = cookies[(n % #cookies) + 1] end
  return wrk.format("METHOD", "PATH", h, BODY)
end
"""
    + DONE_LUA
)


def lua_quote(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid Lua string for these characters


def lua_table(mapping: dict) -> str:
    return "{" + ", ".join(f"[{lua_quote(k)}] = {lua_quote(v)}" for k, v in mapping.items()) + "}"


def posted_headers(host: str) -> dict:
    """What a POST adds: a form body, the CSRF token and its same-origin Referer."""
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-CSRFToken": CSRF_SECRET,
        "Referer": f"https://{host}/",
        "Accept": "application/json",
    }


def wrk_script(target: dict, port: int, scratch: Path, name: str) -> Path:
    headers = {
        "Host": f"127.0.0.1:{port}",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "127.0.0.1",
    }
    if target.get("method") == "POST":
        headers.update(posted_headers(f"127.0.0.1:{port}"))
    lua = (
        LUA.replace("{COOKIES}", "{" + ", ".join(lua_quote(c) for c in target["cookies"]) + "}")
        .replace("{HEADERS}", lua_table(headers))
        .replace("METHOD", target.get("method", "GET"))
        .replace("PATH", target["path"])
        .replace("BODY", lua_quote(target["body"]) if target.get("body") else "nil")
    )  # fmt: skip
    path = scratch / f"{name}.lua"
    path.write_text(lua)
    return path


MIX_LUA = (
    """
local raw = {ENTRIES}
local base = {HEADERS}
local posted = {POSTED}
local requests = {}
local n = 0
local threads = 0
setup = function(thread)
  thread:set("offset", threads * 97)
  threads = threads + 1
end
init = function(args)
  for i, r in ipairs(raw) do
    local h = {}
    for k, v in pairs(base) do h[k] = v end
    local body = nil
    if r[3] ~= "" then h["Cookie"] = r[3] end
    if r[1] == "POST" then
      for k, v in pairs(posted) do h[k] = v end
      body = r[4]
    end
    requests[i] = wrk.format(r[1], r[2], h, body)
  end
  n = (offset or 0) % #requests
end
request = function()
  n = n % #requests + 1
  return requests[n]
end
"""
    + DONE_LUA
)


def wrk_mix_script(entries: list[dict], host: str, scratch: Path, name: str) -> Path:
    """A script that sends ``entries`` (each a method, path, cookie and body) in
    turn, each thread from another place in the list: a mixed workload in the
    proportions the list holds. Requests are formatted once, in ``init``."""
    rows = ",\n".join(
        "{" + ", ".join(lua_quote(e.get(k, "")) for k in ("method", "path", "cookie", "body")) + "}"
        for e in entries
    )
    lua = (
        MIX_LUA.replace("{ENTRIES}", "{\n" + rows + "\n}")
        .replace("{HEADERS}", lua_table({"Host": host}))
        .replace("{POSTED}", lua_table(posted_headers(host)))
    )
    path = scratch / f"{name}.lua"
    path.write_text(lua)
    return path


def wrk_run(
    wrk: str, port: int, script: Path, connections: int, duration: int, *, threads: int = 0
) -> dict:
    """One run; its figures from the script's ``done`` line, and wrk's own CPU
    seconds (the load generator shares the machine with what it measures)."""
    threads = threads or (1 if connections <= 10 else 2)
    command = [
        wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
        "-s", str(script), f"http://127.0.0.1:{port}/",
    ]  # fmt: skip
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    requests, duration_us, p50, p95, bad_status, socket_errors = map(int, line.split()[1:])
    return {
        "rps": requests / (duration_us / 1e6),
        "p50_ms": p50 / 1000,
        "p95_ms": p95 / 1000,
        "bad": bad_status + socket_errors,
        "requests": requests,
        "seconds": duration_us / 1e6,
        "cpu_s": cpu,
    }
