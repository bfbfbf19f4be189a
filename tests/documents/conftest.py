"""Documents tests: a private DOCUMENTS_DIR and key ring per test, an in-memory channel layer, a connected
CAF call at Coutances (Alice answering), and device tokens for the kiosks."""

import base64
import io
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.test import Client

from tests.calls.conftest import MONDAY_10AM
from tests.conftest import make_user
from visiorelais.accounts.models import Role
from visiorelais.accounts.services import kiosk_enrol, kiosk_enrolment_issue
from visiorelais.calls.events import MESSAGE_TYPE
from visiorelais.calls.services import call_accept, call_request, station_take
from visiorelais.documents.models import Document

TEST_KEY = "test1:" + base64.b64encode(bytes(range(32))).decode()


@pytest.fixture(autouse=True)
def documents_dir(settings, tmp_path) -> Path:
    settings.DOCUMENTS_DIR = tmp_path / "documents"
    settings.DOCUMENT_KEYS = TEST_KEY
    settings.DATA_DIR = tmp_path / "data"
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 10_000}}
    }
    return settings.DOCUMENTS_DIR


def listing(folder: Path) -> list[str]:
    """Every file under `folder` (temporary ones included), relative."""
    if not folder.exists():
        return []
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(MONDAY_10AM, tick=False)
    return time_machine


@pytest.fixture
def call(world, clock):
    """A CAF call from the Coutances kiosk, answered by Alice at CAF station 1: connected."""
    station_take(agent=world.alice, station_id=world.caf_station_1.pk)
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    return call_accept(agent=world.alice, call_id=call.pk)


@pytest.fixture
def carla(world):
    """A second CAF agent, not on the call."""
    return make_user("carla", Role.PARTNER_AGENT, partner=world.caf)


def device_token(world, kiosk) -> str:
    _, code = kiosk_enrolment_issue(kiosk=kiosk, issued_by=world.olivia)
    return kiosk_enrol(code=code)[1]


@pytest.fixture
def bridge(world):
    """An HTTP client for the Coutances kiosk's bridge (bearer token)."""
    return Client(HTTP_AUTHORIZATION=f"Bearer {device_token(world, world.kiosk_coutances)}")


@pytest.fixture
def other_bridge(world):
    return Client(HTTP_AUTHORIZATION=f"Bearer {device_token(world, world.kiosk_saint_lo)}")


def agent_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


class Subscriber:
    """One screen's subscription: a channel in some groups, drained from the in-memory layer."""

    def __init__(self, *groups):
        self.layer = get_channel_layer()
        self.channel = async_to_sync(self.layer.new_channel)()
        for group in groups:
            async_to_sync(self.layer.group_add)(group, self.channel)

    def drain(self) -> list[tuple[str, dict]]:
        received = []
        while (queue := self.layer.channels.get(self.channel)) is not None and not queue.empty():
            message = async_to_sync(self.layer.receive)(self.channel)
            assert message["type"] == MESSAGE_TYPE
            received.append((message["event"], message["payload"]))
        return received


def store(call, data: bytes, *, name="document.pdf", direction="scan", kiosk=None, agent=None, **kwargs) -> Document:
    from visiorelais.documents.services import document_store

    if direction == "scan" and kiosk is None and agent is None:
        kiosk = call.kiosk
    if direction == "print" and kiosk is None and agent is None:
        agent = call.agent
    return document_store(
        call_id=call.pk, direction=direction, stream=io.BytesIO(data), name=name, kiosk=kiosk, agent=agent, **kwargs
    )
