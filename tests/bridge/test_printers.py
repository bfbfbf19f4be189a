"""The CUPS driver against a private, real cupsd whose queue prints to PDF files (tests/bridge/peripherals.py)."""

import pytest

from tests.bridge.peripherals import JOB_COMPLETED, page_count, pdfinfo_pages, write_pdf
from visiorelais.bridge.printers import PRINTERS, CupsPrinter, PrinterStatus, PrintFailed, printer_create


def recorder():
    states = []

    async def on_state(state, reason):
        states.append((state, reason))

    return states, on_state


async def test_a_printed_pdf_comes_out_with_the_same_pages_and_the_job_completes(cups_server, tmp_path):
    printer = CupsPrinter(queue=cups_server.queue)
    states, on_state = recorder()

    job = await printer.print_file(write_pdf(tmp_path / "courrier.pdf", 3), title="visiorelais-1", on_state=on_state)

    assert states[0] == ("queued", "")
    assert states[-1] == ("done", "")
    assert cups_server.job_state(job) == JOB_COMPLETED
    [printed] = cups_server.wait_printed(1)
    assert page_count(printed) == 3
    assert pdfinfo_pages(printed) == 3


async def test_out_of_paper_fails_the_job_with_its_reason_and_prints_nothing(cups_server, tmp_path):
    cups_server.out_of_paper()
    printer = CupsPrinter(queue=cups_server.queue)
    _, on_state = recorder()

    with pytest.raises(PrintFailed) as failure:
        await printer.print_file(write_pdf(tmp_path / "courrier.pdf", 1), title="visiorelais-2", on_state=on_state)

    assert failure.value.reason == "out_of_paper"
    assert cups_server.settle(1.0) == []


async def test_a_job_waiting_when_the_paper_runs_out_is_cancelled_not_left_to_print_later(cups_server, tmp_path):
    printer = CupsPrinter(queue=cups_server.queue)
    cups_server.command("cupsdisable", cups_server.queue)  # the job waits in the queue…
    job = await printer.submit(write_pdf(tmp_path / "courrier.pdf", 1), title="visiorelais-3")
    cups_server.command("cupsdisable", "-r", "out of paper", cups_server.queue)  # …and the paper runs out

    status = await printer.status()

    assert status.failure() == "out_of_paper"
    await printer.cancel(job)
    assert cups_server.command("lpstat", "-o").stdout == ""  # cancelled and purged: no copy left in the spool
    cups_server.command("cupsenable", cups_server.queue)
    assert cups_server.settle(1.0) == []


async def test_health_reads_the_queue_state_and_reasons(cups_server):
    printer = CupsPrinter(queue=cups_server.queue)

    ready = (await printer.status()).as_health()
    cups_server.out_of_paper()
    stopped = (await printer.status()).as_health()

    assert ready == {"present": True, "ready": True, "state": "idle", "reasons": [], "detail": ""}
    assert stopped["present"] is True
    assert stopped["ready"] is False
    assert stopped["state"] == "stopped"
    assert stopped["reasons"] == ["paused"]
    assert stopped["detail"] == "out of paper"


async def test_an_unknown_queue_is_an_absent_printer(cups_server, tmp_path):
    printer = CupsPrinter(queue="NoSuchQueue")

    status = await printer.status()

    assert status.present is False
    with pytest.raises(PrintFailed) as failure:
        await printer.print_file(write_pdf(tmp_path / "a.pdf", 1), title="t", on_state=recorder()[1])
    assert failure.value.reason == "offline"


async def test_without_a_queue_it_prints_to_the_default_destination(cups_server, tmp_path):
    cups_server.command("lpadmin", "-d", cups_server.queue)

    job = await CupsPrinter().print_file(write_pdf(tmp_path / "a.pdf", 2), title="t", on_state=recorder()[1])

    assert cups_server.job_state(job) == JOB_COMPLETED
    assert page_count(cups_server.wait_printed(1)[0]) == 2


async def test_forgetting_a_finished_job_removes_it_from_the_history(cups_server, tmp_path):
    printer = CupsPrinter(queue=cups_server.queue)
    job = await printer.print_file(write_pdf(tmp_path / "a.pdf", 1), title="t", on_state=recorder()[1])

    await printer.forget(job)

    completed = cups_server.command("lpstat", "-W", "completed", "-o", cups_server.queue).stdout
    assert f"{cups_server.queue}-{job} " not in completed


def queue(state="idle", reasons=(), message="", *, present=True, accepting=True) -> PrinterStatus:
    return PrinterStatus(present=present, state=state, reasons=list(reasons), message=message, accepting=accepting)


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (queue(), None),
        (queue("processing", ["media-empty-error"]), "out_of_paper"),
        (queue("processing", ["media-empty-warning"]), None),
        (queue("processing", ["media-jam-error"]), "jammed"),
        (queue("idle", ["offline-report"]), "offline"),
        (queue("stopped", ["paused"], "Paper out"), "out_of_paper"),
        (queue("stopped", ["paused"]), "offline"),
        (queue("idle", ["toner-empty-error"]), "error"),
        (queue(accepting=False), "offline"),
        (queue(present=False), "offline"),
    ],
)
def test_printer_state_reasons_map_to_the_failure_reasons_of_the_contract(status, reason):
    assert status.failure() == reason


def test_the_cups_driver_is_registered():
    assert PRINTERS["cups"] is CupsPrinter
    assert printer_create("cups", queue="Q").queue == "Q"
