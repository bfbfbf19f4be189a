"""French phone numbers, checked with `phonenumbers` (Google's libphonenumber), stored in E.164."""

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

from visiorelais.scheduling.errors import SchedulingRefused

# Metropolitan France and the overseas departments and communities numbered in the French plan.
FRENCH_REGIONS = frozenset({"FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF"})
MOBILE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})


def phone_normalise(text: str, *, mobile: bool = False, field: str = "phone") -> str:
    """`text` as typed (06 12 34 56 78, 0612345678, +33 6 12…) → "+33612345678".

    Refused (SchedulingRefused `bad_phone`) unless it is a valid French number; with `mobile=True`, also
    refused (`phone_not_mobile`) when it cannot receive an SMS.
    """
    try:
        number = phonenumbers.parse(text, "FR")
    except NumberParseException:
        raise SchedulingRefused("bad_phone", field=field) from None
    if not phonenumbers.is_valid_number(number) or phonenumbers.region_code_for_number(number) not in FRENCH_REGIONS:
        raise SchedulingRefused("bad_phone", field=field)
    if mobile and phonenumbers.number_type(number) not in MOBILE_TYPES:
        raise SchedulingRefused("phone_not_mobile", field=field)
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def phone_display(e164: str) -> str:
    """ "+33612345678" → "06 12 34 56 78"; empty stays empty."""
    if not e164:
        return ""
    return phonenumbers.format_number(phonenumbers.parse(e164, "FR"), PhoneNumberFormat.NATIONAL)


def phone_masked(e164: str) -> str:
    """ "+33612345678" → "06 •• •• •• 78": enough to recognise a number in a log, not to call it."""
    shown = phone_display(e164)
    if len(shown) < 4:
        return shown
    return shown[:2] + "".join("•" if char.isdigit() else char for char in shown[2:-2]) + shown[-2:]
