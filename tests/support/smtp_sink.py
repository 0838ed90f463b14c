#!/usr/bin/python3
"""An SMTP server for tests that keeps every message it accepts as one JSON line, parsed by Python's own
MIME parser, so a test checks what a real mail reader would see rather than its own reading of the bytes.

Needs Debian's python3 with aiosmtpd (python3-aiosmtpd), hence /usr/bin/python3 explicitly:

  /usr/bin/python3 tests/support/smtp_sink.py --port 0 --out FILE [--refuse ADDRESS:CODE ...] [--eml-dir DIR]

Listens on 127.0.0.1 (port 0 picks a free port) and prints "listening PORT" once ready. --refuse makes RCPT
(or MAIL FROM) for ADDRESS answer CODE (550: permanent, 451: temporary). Each accepted message appends to FILE:
  {"mailFrom", "rcptTos", "headers": {lower-cased name: value, or a list when repeated},
   "text": plain part or null, "html": HTML part or null, "raw": the message as received,
   "receivedAt": the sink's clock in ms}
The line is written before the 250 reply, so a client that saw 250 can read it at once. SIGTERM or SIGINT
stop it with exit status 0.
"""

import argparse
import asyncio
import email
import email.policy
import json
import os
import signal
import sys
import time

from aiosmtpd.smtp import SMTP

REPLY_TEXT = {
    "4": "4.3.0 Refused for now by the test sink",
    "5": "5.1.1 Refused by the test sink",
}


def parse_refusals(values):
    refusals = {}
    for value in values:
        address, separator, code = value.rpartition(":")
        if not separator or not address or not (code.isdigit() and len(code) == 3 and code[0] in "45"):
            raise SystemExit(f"--refuse wants ADDRESS:CODE with a 4xx or 5xx code, got {value!r}")
        refusals[address.lower()] = code
    return refusals


def part_content(message, subtype):
    part = message.get_body(preferencelist=(subtype,))
    return None if part is None else part.get_content()


def headers_of(message):
    headers = {}
    for name in dict.fromkeys(key.lower() for key in message.keys()):
        values = [str(value) for value in message.get_all(name, [])]
        headers[name] = values[0] if len(values) == 1 else values
    return headers


class Sink:
    def __init__(self, out_path, refusals, eml_dir=None):
        self.out_path = out_path
        self.eml_dir = eml_dir
        self.count = 0
        self.refusals = refusals

    def refusal(self, address):
        code = self.refusals.get(address.lower())
        return None if code is None else f"{code} {REPLY_TEXT[code[0]]}"

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        refused = self.refusal(address)
        if refused:
            return refused
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        refused = self.refusal(address)
        if refused:
            return refused
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        message = email.message_from_bytes(data, policy=email.policy.default)
        record = {
            "mailFrom": envelope.mail_from,
            "rcptTos": list(envelope.rcpt_tos),
            "headers": headers_of(message),
            "text": part_content(message, "plain"),
            "html": part_content(message, "html"),
            "raw": data.decode("utf-8", "replace"),
            "receivedAt": int(time.time() * 1000),
        }
        if self.eml_dir:
            self.count += 1
            with open(os.path.join(self.eml_dir, f"{time.strftime('%Y%m%d-%H%M%S')}-{self.count:04d}.eml"), "wb") as eml:
                eml.write(data)
        with open(self.out_path, "a", encoding="utf-8") as out:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        return "250 Message accepted"


async def serve(arguments):
    loop = asyncio.get_running_loop()
    sink = Sink(arguments.out, parse_refusals(arguments.refuse), arguments.eml_dir)
    server = await loop.create_server(lambda: SMTP(sink, hostname="smtp-sink.test"), host="127.0.0.1",
                                      port=arguments.port)
    stopped = asyncio.Event()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signal_number, stopped.set)
    port = server.sockets[0].getsockname()[1]
    print(f"listening {port}", flush=True)
    await stopped.wait()
    server.close()
    await server.wait_closed()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--out", required=True)
    parser.add_argument("--refuse", action="append", default=[], metavar="ADDRESS:CODE")
    parser.add_argument("--eml-dir", help="also keep each message as a .eml file here (the demo's mailbox)")
    asyncio.run(serve(parser.parse_args()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
