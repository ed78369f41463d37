"""Value transforms: cases as data, one table per transform."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import partial
from typing import Any

import pytest

from hub.mapping.countries import known_codes
from hub.mapping.transforms import (
    normalize_country,
    normalize_currency,
    normalize_domain,
    normalize_email,
    normalize_phone,
    split_list,
    to_boolean,
    to_date,
    to_datetime,
    to_decimal,
    to_digits,
    to_integer,
    to_string,
)

Transform = Callable[[Any], Any]
US = partial(normalize_phone, default_region="US")
GB = partial(normalize_phone, default_region="GB")
DE = partial(normalize_phone, default_region="DE")
FR = partial(normalize_phone, default_region="FR")
AU = partial(normalize_phone, default_region="AU")
NL = partial(normalize_phone, default_region="NL")
IN = partial(normalize_phone, default_region="IN")

CONVERTS = [
    # domains
    pytest.param(normalize_domain, "WWW.Acme.com", "acme.com", id="domain_www_upper"),
    pytest.param(normalize_domain, "https://www.Acme.com/", "acme.com", id="domain_url"),
    pytest.param(normalize_domain, "http://acme.com:8080/en?x=1#top", "acme.com", id="domain_port_path_query"),
    pytest.param(normalize_domain, "//cdn.acme.com", "acme.com", id="domain_scheme_relative"),
    pytest.param(normalize_domain, "https://user:pw@acme.com", "acme.com", id="domain_userinfo"),
    pytest.param(normalize_domain, "acme.com.", "acme.com", id="domain_trailing_dot"),
    pytest.param(normalize_domain, "sub.acme.co.uk", "acme.co.uk", id="domain_registrable"),
    pytest.param(normalize_domain, "shop.acme.com.au", "acme.com.au", id="domain_registrable_au"),
    pytest.param(normalize_domain, "acme.github.io", "acme.github.io", id="domain_private_suffix"),
    pytest.param(normalize_domain, "www.com", "www.com", id="domain_www_is_the_name"),
    pytest.param(normalize_domain, "Bücher.de", "xn--bcher-kva.de", id="domain_idna"),
    # emails
    pytest.param(normalize_email, " John@Acme.COM ", "john@acme.com", id="email_trim_lower"),
    pytest.param(normalize_email, "jane+partners@acme.com", "jane+partners@acme.com", id="email_keeps_plus_tag"),
    pytest.param(normalize_email, "mailto:Pat@Globex.com", "pat@globex.com", id="email_mailto"),
    pytest.param(normalize_email, "o'neil@acme.io", "o'neil@acme.io", id="email_apostrophe"),
    # phones
    pytest.param(US, "+1 (415) 555-0100", "+14155550100", id="phone_plus_cc"),
    pytest.param(US, "415.555.0100", "+14155550100", id="phone_us_national_dots"),
    pytest.param(US, "1-415-555-0100", "+14155550100", id="phone_us_leading_1"),
    pytest.param(US, "(212) 555-0142 ext. 7", "+12125550142", id="phone_extension_dropped"),
    pytest.param(US, "00441234567890", "+441234567890", id="phone_00_prefix"),
    pytest.param(US, "+44 (0)20 7946 0958", "+442079460958", id="phone_gb_trunk_in_brackets"),
    pytest.param(GB, "020 7946 0958", "+442079460958", id="phone_gb_national"),
    pytest.param(normalize_phone, "+49 30 1234567", "+49301234567", id="phone_no_region_needed"),
    pytest.param(partial(normalize_phone, default_region="CA"), "604 555 0199", "+16045550199", id="phone_ca"),
    pytest.param(US, "+49 30 1234567", "+49301234567", id="phone_de_international_in_us_mapping"),
    pytest.param(DE, "030 1234567", "+49301234567", id="phone_de_national"),
    pytest.param(DE, "0049 (0)30 1234567", "+49301234567", id="phone_de_00_and_trunk"),
    pytest.param(FR, "01 23 45 67 89", "+33123456789", id="phone_fr_national"),
    pytest.param(FR, "06 12 34 56 78", "+33612345678", id="phone_fr_mobile"),
    pytest.param(AU, "(02) 9876 5432", "+61298765432", id="phone_au_national"),
    pytest.param(NL, "020 123 4567", "+31201234567", id="phone_nl_national"),
    pytest.param(normalize_phone, "+91 98765 43210", "+919876543210", id="phone_in_international"),
    pytest.param(IN, "98765 43210", "+919876543210", id="phone_in_national"),
    # countries: unknown is None, not an error
    pytest.param(normalize_country, "United States", "US", id="country_name"),
    pytest.param(normalize_country, "U.S.A.", "US", id="country_dotted"),
    pytest.param(normalize_country, "usa", "US", id="country_alpha3_lower"),
    pytest.param(normalize_country, "gb", "GB", id="country_alpha2"),
    pytest.param(normalize_country, "UK", "GB", id="country_uk_alias"),
    pytest.param(normalize_country, "The Netherlands", "NL", id="country_the_prefix"),
    pytest.param(normalize_country, "Korea, Republic of", "KR", id="country_iso_long_name"),
    pytest.param(normalize_country, "Wakanda", None, id="country_unknown_is_none"),
    pytest.param(normalize_country, "Deutschland", "DE", id="country_native_de"),
    pytest.param(normalize_country, "Holland", "NL", id="country_holland"),
    pytest.param(normalize_country, "U.K.", "GB", id="country_uk_dotted"),
    pytest.param(normalize_country, "Frankreich", "FR", id="country_german_name_of_france"),
    pytest.param(normalize_country, "Australia", "AU", id="country_au"),
    pytest.param(normalize_country, "Bharat", "IN", id="country_bharat"),
    pytest.param(normalize_country, "Österreich", "AT", id="country_native_at"),
    pytest.param(normalize_country, "276", "DE", id="country_numeric"),
    pytest.param(normalize_country, "Bolivia", "BO", id="country_beyond_the_old_table"),
    pytest.param(normalize_country, "n/a", None, id="country_placeholder_is_none"),
    # numbers
    pytest.param(to_decimal, "1250.50", Decimal("1250.50"), id="decimal"),
    pytest.param(to_decimal, "-3", Decimal("-3"), id="decimal_negative"),
    pytest.param(to_decimal, 12.5, Decimal("12.5"), id="decimal_json_float"),
    pytest.param(to_integer, "120", 120, id="integer"),
    pytest.param(to_integer, "120.0", 120, id="integer_from_whole_decimal"),
    pytest.param(to_integer, 7, 7, id="integer_json_number"),
    pytest.param(to_boolean, "TRUE", True, id="boolean_upper"),
    pytest.param(to_boolean, "false", False, id="boolean_false"),
    pytest.param(to_boolean, False, False, id="boolean_json"),
    # time
    pytest.param(to_datetime, "2026-03-01T10:00:00.123Z", datetime(2026, 3, 1, 10, 0, 0, 123000, UTC), id="dt_z"),
    pytest.param(to_datetime, "2026-03-01T12:00:00+02:00", datetime(2026, 3, 1, 10, tzinfo=UTC), id="dt_offset"),
    pytest.param(to_datetime, "1782777600000", datetime(2026, 6, 30, tzinfo=UTC), id="dt_epoch_ms"),
    pytest.param(to_datetime, 1782777600000, datetime(2026, 6, 30, tzinfo=UTC), id="dt_epoch_ms_number"),
    pytest.param(to_date, "2026-06-30", date(2026, 6, 30), id="date_iso"),
    pytest.param(to_date, "2026-06-30T00:00:00Z", date(2026, 6, 30), id="date_from_datetime"),
    pytest.param(to_date, "2026-09-30T23:30:00-02:00", date(2026, 9, 30), id="date_keeps_written_date"),
    pytest.param(to_date, "1782777600000", date(2026, 6, 30), id="date_epoch_ms"),
    # small ones
    pytest.param(normalize_currency, "usd ", "USD", id="currency_upper"),
    pytest.param(to_digits, "12-345-6789", "123456789", id="digits_duns_dashes"),
    pytest.param(to_string, "  Acme  ", "Acme", id="string_trimmed"),
    pytest.param(to_string, 42, "42", id="string_from_number"),
    pytest.param(partial(split_list, separator=";"), "a; b;;c", ["a", "b", "c"], id="split_list"),
]


@pytest.mark.parametrize(("transform", "raw", "expected"), CONVERTS)
def test_transform_converts(transform: Transform, raw: Any, expected: Any) -> None:
    assert transform(raw) == expected


REJECTS = [
    pytest.param(normalize_domain, "n/a", "not a domain name", id="domain_na"),
    pytest.param(normalize_domain, "localhost", "not a domain name", id="domain_single_label"),
    pytest.param(normalize_domain, "10.0.0.1", "not a domain name", id="domain_ip"),
    pytest.param(normalize_domain, "john@acme.com", "not a domain name", id="domain_email"),
    pytest.param(normalize_domain, "acme .com", "not a domain name", id="domain_space"),
    pytest.param(normalize_domain, "acme.com:http", "not a domain name", id="domain_bad_port"),
    pytest.param(normalize_domain, "co.uk", "not a domain name", id="domain_bare_public_suffix"),
    pytest.param(normalize_domain, "acme.notatld", "not a domain name", id="domain_unknown_tld"),
    pytest.param(normalize_email, "not-an-email", "not an email address", id="email_no_at"),
    pytest.param(normalize_email, "john@@acme.com", "not an email address", id="email_double_at"),
    pytest.param(normalize_email, "john doe@acme.com", "not an email address", id="email_space"),
    pytest.param(normalize_email, "john..doe@acme.com", "not an email address", id="email_double_dot"),
    pytest.param(normalize_email, "john@acme", "not an email address", id="email_no_tld"),
    pytest.param(US, "12345", "not a valid US phone number", id="phone_short"),
    pytest.param(US, "call me", "not a phone number", id="phone_words"),
    pytest.param(US, "+1 415 555 010", "not a valid international", id="phone_nanp_length"),
    pytest.param(US, "+0 123 4567", "not a valid international", id="phone_cc_zero"),
    pytest.param(normalize_phone, "415 555 0100", "no default region", id="phone_national_no_region"),
    pytest.param(DE, "030 12", "not a valid DE phone number", id="phone_de_too_short"),
    pytest.param(US, "+49 12 345678", "not a valid international", id="phone_invalid_for_its_country"),
    pytest.param(to_decimal, "n/a", "not a decimal number", id="decimal_junk"),
    pytest.param(to_decimal, "1,000", "not a decimal number", id="decimal_thousands_separator"),
    pytest.param(to_decimal, "NaN", "not a decimal number", id="decimal_nan"),
    pytest.param(to_integer, "12.5", "not an integer", id="integer_fraction"),
    pytest.param(to_integer, "lots", "not an integer", id="integer_junk"),
    pytest.param(to_boolean, "yes", "not a boolean", id="boolean_yes"),
    pytest.param(to_datetime, "not a date", "not an ISO-8601 datetime", id="datetime_junk"),
    pytest.param(to_datetime, "2026-03-01T10:00:00", "no timezone", id="datetime_naive"),
    pytest.param(to_date, "31/12/2026", "not an ISO-8601 date", id="date_locale_format"),
    pytest.param(normalize_currency, "$", "not an ISO-4217", id="currency_symbol"),
    pytest.param(normalize_currency, "dollars", "not an ISO-4217", id="currency_word"),
    pytest.param(to_digits, "n/a", "not a number made of digits", id="digits_junk"),
    pytest.param(to_string, {"a": 1}, "expected a text value", id="string_from_object"),
]


@pytest.mark.parametrize(("transform", "raw", "message"), REJECTS)
def test_transform_rejects_junk(transform: Transform, raw: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        transform(raw)


ALL = [
    normalize_domain,
    normalize_email,
    US,
    normalize_country,
    normalize_currency,
    to_decimal,
    to_integer,
    to_boolean,
    to_date,
    to_datetime,
    to_digits,
    to_string,
]


@pytest.mark.parametrize("transform", [pytest.param(t, id=getattr(t, "__name__", "phone")) for t in ALL])
@pytest.mark.parametrize(
    "blank", [pytest.param(None, id="none"), pytest.param("", id="empty"), pytest.param("  ", id="ws")]
)
def test_blank_is_null(transform: Transform, blank: Any) -> None:
    assert transform(blank) is None


def test_datetime_is_aware_utc() -> None:
    moment = to_datetime("2026-03-01T05:00:00-05:00")
    assert moment is not None and moment.tzinfo is UTC and moment.hour == 10


def test_every_iso_country_is_known() -> None:
    assert len(known_codes()) >= 249
