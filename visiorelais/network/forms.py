"""Forms of the network's back-office that check more than one row at a time."""

from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext as _

from visiorelais.network.models import WeeklyRange


def _overlap(first: WeeklyRange, second: WeeklyRange) -> bool:
    return first.weekday == second.weekday and first.start < second.end and second.start < first.end


class WeeklyRangeInlineFormSet(BaseInlineFormSet):
    """The weekly ranges of one owner (service windows of a partner, openings of a site), edited together.

    Each form's own `clean()` would compare its range with the database as it stands, which both misses
    clashes between two new rows and refuses legitimate rearrangements (shorten one range, add another in the
    freed time). So the per-row database check is deferred and the formset checks the ranges as they will
    stand once saved: the submitted rows, minus those marked for deletion, plus the owner's rows it does not
    show. The first clash refuses the whole submission with a French message; nothing is saved.
    """

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.instance.defer_overlap_check = True
        return form

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        submitted = [
            form.instance
            for form in self.forms
            if form.cleaned_data and not (self.can_delete and self._should_delete_form(form))
        ]
        others = []
        if self.instance.pk is not None:
            shown = [form.instance.pk for form in self.initial_forms]
            others = list(self.model.objects.filter(**{self.fk.name: self.instance}).exclude(pk__in=shown))
        for index, current in enumerate(submitted):
            for other in [*submitted[:index], *others]:
                if _overlap(current, other):
                    raise ValidationError(
                        _("Les plages « %(first)s » et « %(second)s » se chevauchent ; modifiez l'une des deux.")
                        % {"first": other, "second": current},
                        code="overlap",
                    )
