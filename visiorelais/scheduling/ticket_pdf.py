"""The appointment ticket as the kiosk prints it: one A4 page in French, drawn with reportlab.

It says which partner, when (Paris time), where (the kiosk, or the site when any of its kiosks will do), the
check-in code in large type, and what to do on arrival. It carries no phone number nor e-mail address, and not
the resident's name either: a ticket left on the kiosk tells whoever finds it no more than a slot and a code.
"""

import io
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from visiorelais.scheduling.models import Appointment
from visiorelais.scheduling.selectors import appointment_ticket

TITLE = "Ticket de rendez-vous"


def ticket_pdf(*, appointment: Appointment) -> bytes:
    """The ticket of `appointment` (its slot, partner, and the slot's kiosk and site loaded or loadable), drawn
    from what the ticket page shows (selectors.appointment_ticket), the resident's name and topic left out."""
    ticket = appointment_ticket(appointment=appointment)
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
        where = f"À la borne « {escape(slot.kiosk.label)} » : {escape(ticket['where'])}"
    else:
        where = f"À l'une des bornes de : {escape(ticket['where'])}"
    story = [
        Paragraph(TITLE, styles["Title"]),
        Paragraph(f"Rendez-vous en visio avec <b>{escape(ticket['partner'])}</b>", body),
        Paragraph(f"Le <b>{escape(ticket['when'])}</b> (heure de Paris)", body),
        Paragraph(where, body),
        Spacer(1, 10 * mm),
        Paragraph("Votre code de rendez-vous :", body),
        Paragraph(ticket["code_spaced"], code_style),
        Spacer(1, 10 * mm),
        Paragraph("En arrivant", styles["Heading2"]),
        Paragraph(
            f"Présentez-vous à la borne jusqu'à {ticket['grace_minutes']} minutes avant l'heure. Touchez « J'ai un "
            "rendez-vous », puis tapez les 6 chiffres de votre code : votre conseiller est appelé aussitôt.",
            body,
        ),
        Paragraph(
            "Si le code est refusé, ou si vous ne pouvez pas venir, adressez-vous à l'accueil du site.",
            body,
        ),
    ]
    doc.build(story)
    return out.getvalue()
