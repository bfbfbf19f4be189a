"""The kiosk bridge: a daemon on the kiosk PC that scans (SANE), prints (CUPS) and wipes, for the server.

It talks only to the server (`/ws/bridge/` and the documents HTTP API, see docs/documents.md and docs/bridge.md),
authenticated as its kiosk, and opens no local port. No models: nothing of a call outlives the call on the kiosk.

    daemon.py     the connection, the commands, the per-call bookkeeping (asyncio)
    scanners.py   Scanner base class, registry, SaneCommandScanner (`scanimage`), pages → one PDF
    printers.py   Printer base class, registry, CupsPrinter (pycups)
    server.py     HTTP to the server: enrolment, scan upload, print download
    workdir.py    the working folder: one 0700 folder per call, wiped when the call ends
"""
