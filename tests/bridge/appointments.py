"""An appointment whose ticket the bridge tests print: France Travail, by appointment only at BRN-COUT-01, booked
by hugo at the Coutances desk (as tests/scheduling/conftest.py builds it, without its frozen clock)."""

import datetime as dt

from tests.calls.conftest import MONDAY_10AM
from tests.conftest import make_user
from visiorelais.accounts.models import Role
from visiorelais.network.models import Entitlement, Partner, Station, Topic
from visiorelais.scheduling.models import Appointment
from visiorelais.scheduling.services import appointment_book, slot_open

# Thursday 5 March 2026, 9:00 in Paris: three days after the clock the tests set.
SLOT_START = MONDAY_10AM + dt.timedelta(days=3, hours=-1)


def book_at_the_desk(world) -> Appointment:
    """Mme Lehoux on France Travail's 9:00 slot at BRN-COUT-01, with a mobile number and an e-mail address."""
    partner = Partner.objects.create(name="France Travail", short_name="France Travail", colour="#C8102E")
    station = Station.objects.create(partner=partner, label="France Travail poste 1")
    topic = Topic.objects.create(partner=partner, label="Indemnisation")
    Entitlement.objects.create(partner=partner, kiosk=world.kiosk_coutances, mode=Entitlement.Mode.APPOINTMENT_ONLY)
    make_user("karim", Role.PARTNER_AGENT, partner=partner)
    slot = slot_open(
        partner=partner, station=station, kiosk=world.kiosk_coutances, starts_at=SLOT_START, length_minutes=30
    )
    return appointment_book(
        user=world.hugo,
        slot_id=slot.pk,
        name="Mme Lehoux",
        topic_id=topic.pk,
        phone="06 12 34 56 78",
        email="lehoux@exemple.fr",
    )
