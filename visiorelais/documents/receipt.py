"""The resident's receipt of a call, as a one-page (or more) A4 PDF, in French, made with reportlab.

It says which partner, when (Europe/Paris), and for each document exchanged its name, page count and the
first 12 hex digits of its SHA-256, so that the resident can later show what was sent and received.
It holds no content of the documents.
"""

import io
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.formats import date_format
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from visiorelais.calls.models import Call
from visiorelais.documents.models import Document

PARIS = ZoneInfo("Europe/Paris")
HASH_PREFIX = 12


def french_datetime(value) -> str:
    local = value.astimezone(PARIS)
    return f"{date_format(local, 'j F Y')} à {local:%H:%M}"


def _table(documents: list[Document], styles) -> Table:
    rows = [["Document", "Pages", "Empreinte (SHA-256)"]]
    for document in documents:
        rows.append(
            [Paragraph(escape(document.name), styles["BodyText"]), str(document.pages), document.sha256[:HASH_PREFIX]]
        )
    table = Table(rows, colWidths=[100 * mm, 20 * mm, 45 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTNAME", (2, 1), (2, -1), "Courier"),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def receipt_pdf(*, call: Call, documents: list[Document]) -> bytes:
    """The receipt of `call` listing `documents` (scans sent, then prints received)."""
    styles = getSampleStyleSheet()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        title="Récépissé d'échange de documents",
        author="Visio-relais",
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
    )
    when = call.connected_at or call.requested_at
    story = [
        Paragraph("Récépissé d'échange de documents", styles["Title"]),
        Paragraph(f"Partenaire : <b>{escape(call.partner.name)}</b>", styles["Normal"]),
        Paragraph(f"Borne : {escape(call.kiosk.label)} ({escape(call.kiosk.site.name)})", styles["Normal"]),
        Paragraph(f"Appel du {french_datetime(when)} (heure de Paris)", styles["Normal"]),
        Paragraph(f"Récépissé établi le {french_datetime(timezone.now())}", styles["Normal"]),
        Spacer(1, 8 * mm),
    ]
    sent = [d for d in documents if d.direction == Document.Direction.SCAN]
    received = [d for d in documents if d.direction == Document.Direction.PRINT]
    for title, group in (("Documents envoyés au partenaire", sent), ("Documents reçus du partenaire", received)):
        story.append(Paragraph(title, styles["Heading2"]))
        story.append(_table(group, styles) if group else Paragraph("Aucun.", styles["Normal"]))
        story.append(Spacer(1, 6 * mm))
    story.append(
        Paragraph(
            "L'empreinte identifie chaque fichier sans en révéler le contenu. Les documents sont supprimés du "
            "serveur après le délai de conservation fixé par le partenaire ; la borne n'en garde aucune copie.",
            styles["Italic"],
        )
    )
    doc.build(story)
    return out.getvalue()
