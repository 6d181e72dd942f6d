#!/usr/bin/env python3
"""httpd.py — loopback HTTP server for post2epub's download tests.

Standard library only. Binds 127.0.0.1 on a free port (or --port), prints the
port on the first stdout line, and exits by itself after --lifetime seconds
(default 120) or as soon as its stdin is closed, so a crashed test never leaves
it running. HTTP/1.1 with keep-alive. Every answer is deterministic.

Routes (NAME may carry an extension: .png .jpg .jpeg .gif .webp; without one,
or with another, the image is a JPEG):

  /img/NAME            a small valid image generated in code (distinct bytes per
                       NAME), right Content-Type, ETag "NAME-v1", a fixed
                       Last-Modified; If-None-Match / If-Modified-Since -> 304
                       (every image route below behaves the same way)
  /noext/NAME          the same bytes as /img/NAME (a JPEG unless NAME has an
                       image extension), like picsum.photos
  /redirect/N/NAME     N 302 hops (/redirect/N-1/NAME ...), then the image
  /loop                302 to itself forever
  /status/CODE         answers CODE with a small HTML body
  /flaky/KEY/N/NAME    the first N requests for KEY answer 500, then the image
  /delay/MS/NAME       waits MS milliseconds, then the image
  /hang                reads the request, sends nothing, keeps the socket open
                       until the client goes away (or the lifetime ends)
  /wrongtype/NAME      the image bytes served as text/html
  /htmlimage           an HTML error page served as 200 image/jpeg
  /truncated/NAME      Content-Length 1000 bytes larger than the body, then close
  /endless             200 image/jpeg, no Content-Length, bytes until the client
                       disconnects
  /big/BYTES           exactly BYTES bytes (application/octet-stream) with
                       Content-Length
  /echo                the request's header lines as text/plain
  /stats               JSON {"requests": total, "by_path": {path: count},
                       "peak_concurrency": n, "in_flight": n}; /stats itself is
                       not counted
  /stats/reset         zeroes the counters (and the /flaky counters)

Options: --lifetime S, --latency-ms MS (added to every request but /stats,
for benchmarks), --port P (0: any free port).
"""

import argparse
import hashlib
import json
import os
import select
import socket
import struct
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LAST_MODIFIED = "Sat, 17 Sep 2022 09:15:14 GMT"

# --- images, generated from NAME ------------------------------------------


def _seed(name):
    return hashlib.sha256(name.encode("utf-8", "surrogateescape")).digest()


def png_bytes(name):
    """An 8x8 RGB PNG of one colour, with a tEXt chunk naming NAME."""
    s = _seed(name)
    w = h = 8

    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + bytes(s[0:3]) * w
    raw = row * h
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"tEXt", b"Comment\x00" + name.encode("utf-8", "replace"))
            + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b""))


def gif_bytes(name):
    """A 1x1 GIF89a whose single palette colour comes from NAME, plus a comment."""
    s = _seed(name)
    comment = name.encode("utf-8", "replace")[:255]
    return (b"GIF89a" + struct.pack("<HH", 1, 1) + b"\x80\x00\x00"
            + bytes(s[0:3]) + b"\x00\x00\x00"
            + b"\x21\xfe" + bytes([len(comment)]) + comment + b"\x00"
            + b"\x2c" + struct.pack("<HHHH", 0, 0, 1, 1) + b"\x00"
            + b"\x02\x02\x44\x01\x00" + b"\x3b")


def jpeg_bytes(name):
    """An 8x8 greyscale baseline JPEG of one grey level, with a COM segment.

    One component, a quantisation table of ones, and Huffman tables holding
    just the codes needed: a flat block is its DC coefficient and an EOB."""
    s = _seed(name)
    level = s[0] - 128          # level-shifted sample
    dc = 8 * level              # DC of a flat 8x8 block with q = 1
    cat = abs(dc).bit_length()  # JPEG magnitude category
    bits = "0"                  # the DC table's only code, for symbol `cat`
    if cat:
        v = dc if dc > 0 else dc + (1 << cat) - 1
        bits += format(v, "0%db" % cat)
    bits += "0"                 # the AC table's only code: EOB
    bits += "1" * (-len(bits) % 8)
    scan = bytearray()
    for i in range(0, len(bits), 8):
        b = int(bits[i:i + 8], 2)
        scan.append(b)
        if b == 0xFF:
            scan.append(0)

    def seg(marker, data):
        return bytes([0xFF, marker]) + struct.pack(">H", len(data) + 2) + data

    comment = b"post2epub test image " + name.encode("utf-8", "replace")
    one_code = bytes([1] + [0] * 15)
    return (b"\xff\xd8"
            + seg(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
            + seg(0xFE, comment)
            + seg(0xDB, b"\x00" + b"\x01" * 64)
            + seg(0xC0, b"\x08" + struct.pack(">HH", 8, 8) + b"\x01" + b"\x01\x11\x00")
            + seg(0xC4, b"\x00" + one_code + bytes([cat]))
            + seg(0xC4, b"\x10" + one_code + b"\x00")
            + seg(0xDA, b"\x01\x01\x00\x00\x3f\x00")
            + bytes(scan) + b"\xff\xd9")


def webp_bytes(name):
    """A 1x1 lossless WebP (extended format) with an XMP chunk naming NAME."""
    vp8l = bytes.fromhex("2f00000010071011118888fe07")
    xmp = b"<x:xmpmeta><!-- " + name.encode("utf-8", "replace") + b" --></x:xmpmeta>"

    def chunk(kind, data):
        pad = b"\x00" if len(data) % 2 else b""
        return kind + struct.pack("<I", len(data)) + data + pad

    vp8x = bytes([0x04, 0, 0, 0]) + (0).to_bytes(3, "little") + (0).to_bytes(3, "little")
    body = b"WEBP" + chunk(b"VP8X", vp8x) + chunk(b"VP8L", vp8l) + chunk(b"XMP ", xmp)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def image_for(name):
    ext = os.path.splitext(name)[1].lower()
    if ext == ".png":
        return png_bytes(name), "image/png"
    if ext == ".gif":
        return gif_bytes(name), "image/gif"
    if ext == ".webp":
        return webp_bytes(name), "image/webp"
    return jpeg_bytes(name), "image/jpeg"


# --- the server ------------------------------------------------------------


class State:
    def __init__(self, latency_ms):
        self.lock = threading.Lock()
        self.latency = latency_ms / 1000.0
        self.reset()

    def reset(self):
        self.requests = 0
        self.by_path = {}
        self.in_flight = 0
        self.peak = 0
        self.flaky = {}


STATE = None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "p2e-httpd/1"
    # Headers and body go out in separate writes; with Nagle on, the body
    # waits for the client's delayed ACK (~40 ms) on a kept-alive connection,
    # which would make every download look slow.
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):  # quiet
        pass

    # -- helpers --
    def send_body(self, code, ctype, body, extra=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_html(self, code, text):
        body = ("<!DOCTYPE html><html><head><title>%d</title></head>"
                "<body><h1>%s</h1></body></html>\n" % (code, text)).encode()
        self.send_body(code, "text/html; charset=utf-8", body)

    def send_image(self, name, ctype=None):
        data, itype = image_for(name)
        etag = '"%s-v1"' % name
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if (inm is not None and etag in [t.strip() for t in inm.split(",")]) or \
                (inm is None and ims == LAST_MODIFIED):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", LAST_MODIFIED)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_body(200, ctype or itype, data,
                       (("ETag", etag), ("Last-Modified", LAST_MODIFIED)))

    def redirect(self, location):
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def wait_for_close(self):
        """Blocks until the client closes the connection."""
        sock = self.connection
        while True:
            r, _, _ = select.select([sock], [], [], 0.5)
            if r:
                try:
                    if not sock.recv(4096):
                        break
                except OSError:
                    break
        self.close_connection = True

    # -- dispatch --
    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == "/stats" or path == "/stats/reset":
            with STATE.lock:
                if path == "/stats/reset":
                    STATE.reset()
                doc = {"requests": STATE.requests, "by_path": dict(STATE.by_path),
                       "peak_concurrency": STATE.peak, "in_flight": STATE.in_flight}
            self.send_body(200, "application/json", json.dumps(doc, sort_keys=True).encode())
            return
        with STATE.lock:
            STATE.requests += 1
            STATE.by_path[path] = STATE.by_path.get(path, 0) + 1
            STATE.in_flight += 1
            STATE.peak = max(STATE.peak, STATE.in_flight)
        try:
            if STATE.latency:
                time.sleep(STATE.latency)
            self.route(path)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            with STATE.lock:
                STATE.in_flight -= 1

    def route(self, path):
        parts = path.split("/")[1:]
        head = parts[0] if parts else ""
        rest = "/".join(parts[1:])
        if head in ("img", "noext") and rest:
            self.send_image(rest)
        elif head == "redirect" and len(parts) >= 3 and parts[1].isdigit():
            n = int(parts[1])
            name = "/".join(parts[2:])
            if n > 0:
                self.redirect("/redirect/%d/%s" % (n - 1, name))
            else:
                self.send_image(name)
        elif path == "/echo":
            self.send_body(200, "text/plain; charset=utf-8", str(self.headers).encode())
        elif path == "/loop":
            self.redirect("/loop")
        elif head == "status" and len(parts) == 2 and parts[1].isdigit():
            code = int(parts[1])
            if code < 200 or code in (204, 304):
                self.send_response(code)
                self.end_headers()
            else:
                self.send_html(code, "status %d" % code)
        elif head == "flaky" and len(parts) >= 4 and parts[2].isdigit():
            key, n, name = parts[1], int(parts[2]), "/".join(parts[3:])
            with STATE.lock:
                seen = STATE.flaky.get(key, 0)
                STATE.flaky[key] = seen + 1
            if seen < n:
                self.send_html(500, "flaky %s: failure %d of %d" % (key, seen + 1, n))
            else:
                self.send_image(name)
        elif head == "delay" and len(parts) >= 3 and parts[1].isdigit():
            time.sleep(int(parts[1]) / 1000.0)
            self.send_image("/".join(parts[2:]))
        elif path == "/hang":
            self.wait_for_close()
        elif head == "wrongtype" and rest:
            self.send_image(rest, "text/html; charset=utf-8")
        elif path == "/htmlimage":
            body = (b"<!DOCTYPE html><html><head><title>Not Found</title></head>"
                    b"<body><h1>This image is not available</h1></body></html>\n")
            self.send_body(200, "image/jpeg", body)
        elif head == "truncated" and rest:
            data, ctype = image_for(rest)
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data) + 1000))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
            self.close_connection = True
        elif path == "/endless":
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            block = b"\xff\xd8\xff" + bytes(range(256)) * 64
            while True:
                self.wfile.write(block)
                self.wfile.flush()
        elif head == "big" and len(parts) == 2 and parts[1].isdigit():
            total = min(int(parts[1]), 1 << 32)
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(total))
            self.end_headers()
            block = bytes(range(256)) * 256
            left = total
            while left > 0:
                n = min(left, len(block))
                self.wfile.write(block[:n])
                left -= n
        else:
            self.send_html(404, "not found")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return  # a client that went away: expected in these tests
        super().handle_error(request, client_address)


def main():
    global STATE
    ap = argparse.ArgumentParser(description="loopback test server for post2epub")
    ap.add_argument("--lifetime", type=float, default=120.0)
    ap.add_argument("--latency-ms", type=int, default=0)
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    STATE = State(args.latency_ms)
    httpd = Server(("127.0.0.1", args.port), Handler)
    sys.stdout.write("%d\n" % httpd.server_address[1])
    sys.stdout.flush()

    def stdin_watch():
        try:
            while os.read(sys.stdin.fileno(), 4096):
                pass
        except OSError:
            pass
        os._exit(0)

    threading.Thread(target=stdin_watch, daemon=True).start()
    threading.Timer(args.lifetime, lambda: os._exit(0)).start()
    httpd.serve_forever()


if __name__ == "__main__":
    main()
