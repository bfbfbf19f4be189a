"""Helpers of the back-office tests: the data a browser would post back from an admin form, and admin URLs."""

from html import unescape
from html.parser import HTMLParser

from django.urls import reverse


class _FormParser(HTMLParser):
    """Collects what a browser would submit from each form of a page, without running its scripts."""

    def __init__(self):
        super().__init__()
        self.forms: dict[str, list[tuple[str, str]]] = {}
        self._fields: list[tuple[str, str]] | None = None
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._fields = self.forms.setdefault(attrs.get("id") or "", [])
        elif self._fields is None:
            return
        elif tag == "input":
            kind = attrs.get("type", "text")
            if not attrs.get("name") or kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self._fields.append((attrs["name"], attrs.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "select":
            self._select = attrs.get("name")
        elif tag == "option" and self._select and "selected" in attrs:
            self._fields.append((self._select, attrs.get("value", "")))
        elif tag == "textarea":
            self._textarea, self._text = attrs.get("name"), []

    def handle_endtag(self, tag):
        if tag == "form":
            self._fields = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea and self._fields is not None:
            self._fields.append((self._textarea, "".join(self._text).lstrip("\n")))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)


def form_data(response) -> dict[str, list[str]]:
    """The data a browser would post back from the admin change or add form of `response`, unchanged."""
    assert response.status_code == 200, response.status_code
    parser = _FormParser()
    parser.feed(response.content.decode())
    [fields] = [fields for form_id, fields in parser.forms.items() if form_id.endswith("_form")]
    data: dict[str, list[str]] = {}
    for name, value in fields:
        if "__prefix__" not in name:
            data.setdefault(name, []).append(value)
    return data


def page_text(response) -> str:
    return unescape(response.content.decode())


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)
