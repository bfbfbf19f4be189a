"""Helpers of the statistics pages' view tests: every export of a page, read back as text."""

import io
import zipfile

from visiorelais.statistics.exports import FORMATS

OTHER_ROLES = ("olivia", "oscar", "paula", "alice", "bob", "mona", "hugo")


def export_texts(client, page: str, table_keys, query: str = "") -> dict[tuple[str, str], str]:
    """{(table key, format): the export's text}; XLSX and ODS are zip files of XML, read member by member."""
    found = {}
    for key in table_keys:
        for fmt in FORMATS:
            response = client.get(f"/statistiques/{page}/export/{key}.{fmt}{query}")
            assert response.status_code == 200, (key, fmt, response.status_code)
            content = response.content
            if content[:2] == b"PK":
                with zipfile.ZipFile(io.BytesIO(content)) as archive:
                    text = "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
            else:
                text = content.decode("utf-8-sig")
            found[(key, fmt)] = text
    return found


def table_keys(response) -> list[str]:
    return [view.table.key for view in response.context["tables"]]
