#!/usr/bin/env python3
"""Does `POST /api/auth/password_reset` take longer for an address with an account?

Registers N accounts, then asks for a reset of each and of an address without an
account, in random order and 30 ms apart, each from its own client address (the server must trust
127.0.0.1 as a proxy, BATON_TRUSTED_PROXIES=127.0.0.1, so X-Forwarded-For names the
client and the per-address limit does not stop the run). Prints the latency of both
kinds. Usage: reset_timing.py http://127.0.0.1:PORT [N]
"""
import http.client, random, statistics, sys, time, urllib.parse, uuid

base = urllib.parse.urlparse(sys.argv[1])
n = int(sys.argv[2]) if len(sys.argv) > 2 else 200
conn = http.client.HTTPConnection(base.hostname, base.port)

def post(path, fields, client):
    body = urllib.parse.urlencode(fields)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": client}
    start = time.perf_counter()
    conn.request("POST", path, body, headers)
    response = conn.getresponse()
    data = response.read()
    return response.status, data, (time.perf_counter() - start) * 1000

run = uuid.uuid4().hex[:8]
known = [f"timing-{run}-{i}@example.com" for i in range(n)]
for i, email in enumerate(known):
    status, _, _ = post("/api/auth/register", {"email": email, "password": "correct horse battery staple"}, f"10.1.{i // 250}.{i % 250 + 1}")
    assert status == 200, status
times = {"known": [], "unknown": []}
bodies = set()
for i in range(n):
    pair = [("known", known[i]), ("unknown", f"nobody-{run}-{i}@example.com")]
    random.shuffle(pair)
    for kind, email in pair:
        # Let the work after the previous answer (the lookup, a mail) finish first:
        # this measures the answer itself.
        time.sleep(0.03)
        status, body, ms = post("/api/auth/password_reset", {"email": email}, f"10.2.{i // 250}.{i % 250 + 1}")
        assert status == 202, (status, body)
        bodies.add(body)
        times[kind].append(ms)
print(f"{n} requests of each kind; distinct bodies: {len(bodies)}")
for kind, ms in times.items():
    q = statistics.quantiles(ms, n=100)
    print(f"{kind:8} median {statistics.median(ms):.3f} ms  p90 {q[89]:.3f} ms  p99 {q[98]:.3f} ms  mean {statistics.mean(ms):.3f} ms")
