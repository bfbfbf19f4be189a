"""The appointment ticket as the kiosk prints it: one A4 page in French, drawn with reportlab.

It says which partner, when (Paris time), where (the kiosk, or the site when any of its kiosks will do), the
check-in code in large type, and what to do on arrival. It carries no phone number nor e-mail address, and not
the resident's name either: a ticket left on the kiosk tells whoever finds it no more than a slot and a code.
"""

import io

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from visiorelais.scheduling import conf
from visiorelais.scheduling.models import Appointment, local_label
from visiorelais.scheduling.selectors import place_label

TITLE = "Ticket de rendez-vous"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def spaced_code(code: str) -> str:
    """ "234 567": two groups of three digits, easier to read and to type."""
    return f"{code[:3]} {code[3:]}"


def ticket_pdf(*, appointment: Appointment) -> bytes:
    """The ticket of `appointment` (its slot, partner, and the slot's kiosk and site loaded or loadable)."""
    slot = appointment.slot
    styles = getSampleStyleSheet()
    code_style = ParagraphStyle(
        "Code", parent=styles["Title"], fontName="Courier-Bold", fontSize=44, leading=52, spaceBefore=4 * mm
    )
    body = ParagraphStyle("Body", parent=styles["Normal"], fontSize=13, leading=18)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        title=TITLE,
        author="Visio-relais",
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
    )
    if slot.kiosk_id:
        where = f"À la borne « {_escape(slot.kiosk.label)} » : {_escape(place_label(slot))}"
    else:
        where = f"À l'une des bornes de : {_escape(place_label(slot))}"
    grace = int(conf.grace_before().total_seconds() // 60)
    story = [
        Paragraph(TITLE, styles["Title"]),
        Paragraph(f"Rendez-vous en visio avec <b>{_escape(slot.partner.name)}</b>", body),
        Paragraph(f"Le <b>{_escape(local_label(slot.starts_at))}</b> (heure de Paris)", body),
        Paragraph(where, body),
        Spacer(1, 10 * mm),
        Paragraph("Votre code de rendez-vous :", body),
        Paragraph(spaced_code(appointment.code), code_style),
        Spacer(1, 10 * mm),
        Paragraph("En arrivant", styles["Heading2"]),
        Paragraph(
            f"Présentez-vous à la borne jusqu'à {grace} minutes avant l'heure. Touchez « J'ai un rendez-vous », "
            "puis tapez les 6 chiffres de votre code : votre conseiller est appelé aussitôt.",
            body,
        ),
        Paragraph(
            "Si le code est refusé, ou si vous ne pouvez pas venir, adressez-vous à l'accueil du site.",
            body,
        ),
    ]
    doc.build(story)
    return out.getvalue()
