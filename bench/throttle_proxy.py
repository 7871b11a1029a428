#!/usr/bin/env python3
"""An FTP proxy on 127.0.0.1 that makes one of several connections slow (bench scenario "uneven"), or that is one
link of a fixed rate shared by every data connection (scenario "adaptive", --shared-rate).

It forwards control connections to the upstream server and rewrites its 227 (PASV) and 229 (EPSV) replies to
a listener of its own, which forwards the data connection to the server's data port. The first control session
that sends `REST n` with n > 0 is the slow one: every data connection of that session is limited to
--slow-rate bytes per second (in both directions). The others pass unthrottled (the server may limit them).

With --shared-rate the slow session is not chosen: all data connections together get at most that many bytes per
second (downloads and uploads alike), as behind one full link. The log then has a line for each control session that
opens or closes, with how many are open ("live=N"), for counting the connections a client keeps.

    throttle_proxy.py --listen PORT --upstream PORT [--slow-rate BYTES_PER_S | --shared-rate BYTES_PER_S] [--log FILE]
"""
import argparse
import asyncio
import re
import sys
import time

HOST = "127.0.0.1"
CHUNK = 16 * 1024


class Session:
    count = 0
    live = 0
    slow_chosen = False

    def __init__(self):
        Session.count += 1
        Session.live += 1
        self.id = Session.count
        self.slow = False

    def close(self):
        Session.live -= 1
        if Session.live == 0:
            # a new client run (no session left open) gets its own slow connection
            Session.slow_chosen = False


class SharedLink:
    """One budget for every data connection: bytes may not run ahead of rate * time since the link got busy."""
    total = 0
    start = None

    @classmethod
    def delay(cls, n, rate):
        now = time.monotonic()
        if cls.start is None or (cls.total / rate) - (now - cls.start) < -0.1:
            # idle for a while: no saved-up credit beyond 100 ms (a link does not store bandwidth)
            cls.start = now - min(0.1, 0 if cls.start is None else 0.1)
            cls.total = 0
        cls.total += n
        return cls.total / rate - (now - cls.start)


def log(args, msg):
    if args.log:
        with open(args.log, "a") as f:
            f.write(f"{time.strftime('%H:%M:%S')} {msg}\n")


async def pump(reader, writer, rate_of, label, args):
    """Copies until EOF; rate_of() gives the current limit (0: none), checked per chunk."""
    total = 0
    start = time.monotonic()
    try:
        while True:
            data = await reader.read(CHUNK)
            if not data:
                break
            writer.write(data)
            await writer.drain()
            total += len(data)
            if args.shared_rate:
                ahead = SharedLink.delay(len(data), args.shared_rate)
                if ahead > 0:
                    await asyncio.sleep(ahead)
                continue
            rate = rate_of()
            if rate:
                # pace: the bytes so far may not arrive faster than rate allows
                ahead = total / rate - (time.monotonic() - start)
                if ahead > 0:
                    await asyncio.sleep(ahead)
    except (ConnectionError, OSError):
        pass
    finally:
        try:
            writer.close()
        except Exception:
            pass
        log(args, f"{label}: {total} bytes in {time.monotonic() - start:.2f}s")


async def data_link(session, up_port, args):
    """Opens a listener for one data connection; returns its port."""
    done = asyncio.get_running_loop().create_future()

    async def on_client(c_reader, c_writer):
        server.close()
        try:
            s_reader, s_writer = await asyncio.open_connection(HOST, up_port)
        except OSError:
            c_writer.close()
            return
        rate = lambda: args.slow_rate if session.slow else 0
        label = f"session {session.id}{' SLOW' if session.slow else ''} data"
        await asyncio.gather(pump(s_reader, c_writer, rate, label + " down", args),
                             pump(c_reader, s_writer, rate, label + " up", args))

    server = await asyncio.start_server(on_client, HOST, 0)
    port = server.sockets[0].getsockname()[1]
    # a listener nobody connects to is closed after a while
    asyncio.get_running_loop().call_later(60, server.close)
    return port


async def control(c_reader, c_writer, args):
    session = Session()
    try:
        s_reader, s_writer = await asyncio.open_connection(HOST, args.upstream)
    except OSError:
        session.close()
        c_writer.close()
        return
    log(args, f"session {session.id} opened live={Session.live} t={time.time():.3f}")

    async def client_to_server():
        try:
            while True:
                line = await c_reader.readline()
                if not line:
                    break
                m = re.match(rb"REST\s+(\d+)", line, re.I)
                if m and int(m.group(1)) > 0 and not Session.slow_chosen and not args.shared_rate:
                    Session.slow_chosen = True
                    session.slow = True
                    log(args, f"session {session.id} is the slow one ({args.slow_rate} B/s), REST {m.group(1).decode()}")
                s_writer.write(line)
                await s_writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            try:
                s_writer.close()
            except Exception:
                pass

    async def server_to_client():
        try:
            while True:
                line = await s_reader.readline()
                if not line:
                    break
                m = re.match(rb"227 .*?(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)", line)
                if m:
                    up = int(m.group(5)) * 256 + int(m.group(6))
                    p = await data_link(session, up, args)
                    line = f"227 Entering Passive Mode (127,0,0,1,{p // 256},{p % 256}).\r\n".encode()
                m = re.match(rb"229 .*\(\|\|\|(\d+)\|\)", line)
                if m:
                    p = await data_link(session, int(m.group(1)), args)
                    line = f"229 Entering Extended Passive Mode (|||{p}|)\r\n".encode()
                c_writer.write(line)
                await c_writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            try:
                c_writer.close()
            except Exception:
                pass

    try:
        await asyncio.gather(client_to_server(), server_to_client())
    finally:
        session.close()
    log(args, f"session {session.id} closed live={Session.live} t={time.time():.3f}")


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", type=int, required=True)
    ap.add_argument("--upstream", type=int, required=True)
    ap.add_argument("--slow-rate", type=int, default=512 * 1024)
    ap.add_argument("--shared-rate", type=int, default=0)
    ap.add_argument("--log")
    args = ap.parse_args()
    server = await asyncio.start_server(lambda r, w: control(r, w, args), HOST, args.listen)
    log(args, f"listening on {HOST}:{args.listen} -> {args.upstream}, slow rate {args.slow_rate}")
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
