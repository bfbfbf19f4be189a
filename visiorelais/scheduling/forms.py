"""The forms of the booking and callback pages: they keep what was typed and show each refusal on its field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from visiorelais.network.models import Topic
from visiorelais.scheduling.models import CallbackAttempt
from visiorelais.scheduling.services import contact_email, contact_name, contact_phone


class BookingForm(forms.Form):
    name = forms.CharField(
        label=_("Nom de la personne"),
        max_length=120,
        help_text=_("Un nom suffit, tel que la personne le donnera à la borne."),
        error_messages={"required": _("Indiquez le nom de la personne (un nom suffit).")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    topic = forms.ModelChoiceField(
        label=_("Motif"),
        queryset=Topic.objects.none(),
        empty_label=_("— choisissez —"),
        error_messages={
            "required": _("Choisissez un des motifs proposés par ce partenaire."),
            "invalid_choice": _("Choisissez un des motifs proposés par ce partenaire."),
        },
    )
    phone = forms.CharField(
        label=_("Portable pour le rappel par SMS (facultatif)"),
        required=False,
        max_length=30,
        help_text=_("Par exemple 06 12 34 56 78. Effacé avec le rendez-vous."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    email = forms.CharField(
        label=_("E-mail pour le rappel (facultatif)"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, partner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = Topic.objects.filter(partner=partner, active=True).order_by("label")

    # The services' own checks, so that every refusal shows at once, on its field.
    def clean_name(self):
        return contact_name(self.cleaned_data["name"])

    def clean_phone(self):
        return contact_phone(self.cleaned_data["phone"])

    def clean_email(self):
        return contact_email(self.cleaned_data["email"])


class CallbackAttemptForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Résultat"),
        choices=CallbackAttempt.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Indiquez si le rappel a abouti ou échoué.")},
    )
    note = forms.CharField(label=_("Note (facultatif)"), required=False, max_length=200)
