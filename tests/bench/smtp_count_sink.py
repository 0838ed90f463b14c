#!/usr/bin/python3
"""The benchmark's SMTP sink: answers SMTP as a relay does and keeps one line per accepted message
({"rcptTos", "bytes", "receivedAt"}), parsing nothing else. A benchmark measures the server that sends;
the tests' sink (tests/support/smtp_sink.py, aiosmtpd with a MIME parser) costs about half a
millisecond of CPU per mail and would be what the benchmark measured.

  /usr/bin/python3 tests/bench/smtp_count_sink.py --port 0 --out FILE

Listens on 127.0.0.1 and prints "listening PORT" once ready; SIGTERM or SIGINT stop it.
"""

import argparse
import asyncio
import json
import signal
import sys
import time


class Session(asyncio.Protocol):
    def __init__(self, out):
        self.out = out
        self.buffer = b""
        self.data = None  # the message's lines while in DATA
        self.recipients = []

    def connection_made(self, transport):
        self.transport = transport
        transport.write(b"220 smtp-count-sink.test ESMTP\r\n")

    def data_received(self, chunk):
        self.buffer += chunk
        while True:
            if self.data is not None:
                # The message ends with a line that is a lone dot (its own dots are doubled).
                if self.buffer.startswith(b".\r\n"):
                    end = 0
                else:
                    found = self.buffer.find(b"\r\n.\r\n")
                    if found < 0:
                        return
                    end = found + 2
                skip = 3
                self.data += len(self.buffer[:end])
                self.buffer = self.buffer[end + skip:]
                self.out.write(json.dumps({"rcptTos": self.recipients, "bytes": self.data,
                                           "receivedAt": int(time.time() * 1000)}) + "\n")
                self.out.flush()
                self.data = None
                self.recipients = []
                self.transport.write(b"250 OK\r\n")
                continue
            line_end = self.buffer.find(b"\r\n")
            if line_end < 0:
                return
            line = self.buffer[:line_end].decode("latin-1")
            self.buffer = self.buffer[line_end + 2:]
            self.command(line)

    def command(self, line):
        verb = line[:4].upper()
        if verb == "EHLO":
            self.transport.write(b"250-smtp-count-sink.test\r\n250-8BITMIME\r\n250 SIZE 10485760\r\n")
        elif verb == "RCPT":
            self.recipients.append(line[line.find(":") + 1:].strip().strip("<>"))
            self.transport.write(b"250 OK\r\n")
        elif verb == "DATA":
            self.data = 0
            self.transport.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
        elif verb == "QUIT":
            self.transport.write(b"221 Bye\r\n")
            self.transport.close()
        elif verb in ("HELO", "MAIL", "RSET", "NOOP"):
            if verb in ("MAIL", "RSET"):
                self.recipients = []
            self.transport.write(b"250 OK\r\n")
        else:
            self.transport.write(b"502 Command not implemented\r\n")


async def serve(arguments):
    loop = asyncio.get_running_loop()
    with open(arguments.out, "a", encoding="utf-8") as out:
        server = await loop.create_server(lambda: Session(out), host="127.0.0.1", port=arguments.port)
        stopped = asyncio.Event()
        for signal_number in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signal_number, stopped.set)
        print(f"listening {server.sockets[0].getsockname()[1]}", flush=True)
        await stopped.wait()
        server.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--out", required=True)
    asyncio.run(serve(parser.parse_args()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
