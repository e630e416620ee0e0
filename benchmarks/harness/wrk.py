"""Load from wrk (Debian's package): one Lua script per page that rotates the
signed-in sessions' cookies, and the figures its ``done`` hook prints."""

import json
import os
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


LUA = """
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
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), e.status,
    e.connect + e.read + e.write + e.timeout))
end
"""


def lua_quote(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid Lua string for these characters


def wrk_script(target: dict, port: int, scratch: Path, name: str) -> Path:
    headers = {
        "Host": f"127.0.0.1:{port}",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "127.0.0.1",
    }
    if target.get("method") == "POST":
        headers.update(
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-CSRFToken": CSRF_SECRET,
                "Referer": f"https://127.0.0.1:{port}/",
                "Accept": "application/json",
            }
        )
    lua = (
        LUA.replace("{COOKIES}", "{" + ", ".join(lua_quote(c) for c in target["cookies"]) + "}")
        .replace("{HEADERS}", "{" + ", ".join(f"[{lua_quote(k)}] = {lua_quote(v)}" for k, v in headers.items()) + "}")
        .replace("METHOD", target.get("method", "GET"))
        .replace("PATH", target["path"])
        .replace("BODY", lua_quote(target["body"]) if target.get("body") else "nil")
    )  # fmt: skip
    path = scratch / f"{name}.lua"
    path.write_text(lua)
    return path


def wrk_run(wrk: str, port: int, script: Path, connections: int, duration: int) -> dict:
    threads = 1 if connections <= 10 else 2
    command = [
        wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
        "-s", str(script), f"http://127.0.0.1:{port}/",
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    requests, duration_us, p50, p95, bad_status, socket_errors = map(int, line.split()[1:])
    return {
        "rps": requests / (duration_us / 1e6),
        "p50_ms": p50 / 1000,
        "p95_ms": p95 / 1000,
        "bad": bad_status + socket_errors,
        "requests": requests,
    }
