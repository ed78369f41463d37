"""Records from Germany, France, Australia, the Netherlands and India map as well as American ones.

One small mapping per region (``default_region`` is any ISO region phonenumbers knows); each record
goes through the real ``Mapper`` and must give a valid canonical Organization.
"""

from __future__ import annotations

from typing import Any

import pytest

from hub.canonical import Organization
from hub.mapping import Mapper, MappingSpec, SourceRef


def _mapper(region: str) -> Mapper:
    return Mapper(
        MappingSpec.model_validate(
            {
                "system": f"crm_{region.lower()}",
                "version": 1,
                "objects": {
                    "accounts": {
                        "entity": "organization",
                        "updated_at": {"source": "modified"},
                        "fields": {
                            "name": {"source": "name", "required": True},
                            "primary_domain": {"source": "website", "type": "domain", "on_invalid": "drop"},
                            "phone": {
                                "source": "phone",
                                "type": "phone",
                                "default_region": region,
                                "on_invalid": "drop",
                            },
                            "phone_raw": {"source": "phone"},
                            "country": {"source": "country", "type": "country"},
                            "country_raw": {"source": "country"},
                        },
                    }
                },
            }
        )
    )


def _resolve(ref: SourceRef) -> str:  # pragma: no cover - these records have no references
    raise KeyError(ref)


RECORDS = [
    # region, phone as typed, website as typed, country as typed -> phone, domain, country
    pytest.param(
        "DE",
        "+49 30 1234567",
        "https://www.mueller.de/kontakt",
        "Deutschland",
        "+49301234567",
        "mueller.de",
        "DE",
        id="de_international",
    ),
    pytest.param(
        "DE", "030 1234567", "shop.mueller.de", "Germany", "+49301234567", "mueller.de", "DE", id="de_national"
    ),
    pytest.param(
        "DE",
        "0049 (0)30 1234567-89",
        "müller.de",
        "DEU",
        "+4930123456789",
        "xn--mller-kva.de",
        "DE",
        id="de_00_trunk_idna",
    ),
    pytest.param(
        "FR",
        "01 23 45 67 89",
        "www.societe.fr",
        "Allemagne",
        "+33123456789",
        "societe.fr",
        "DE",
        id="fr_national_french_name_of_germany",
    ),
    pytest.param(
        "FR", "+33 6 12 34 56 78", "http://societe.fr", "France", "+33612345678", "societe.fr", "FR", id="fr_mobile"
    ),
    pytest.param(
        "AU",
        "(02) 9876 5432",
        "www.acme.com.au",
        "Australia",
        "+61298765432",
        "acme.com.au",
        "AU",
        id="au_national_second_level_suffix",
    ),
    pytest.param("NL", "020 123 4567", "https://acme.nl", "Holland", "+31201234567", "acme.nl", "NL", id="nl_holland"),
    pytest.param(
        "NL", "+31 20 123 4567", "acme.nl", "The Netherlands", "+31201234567", "acme.nl", "NL", id="nl_the_netherlands"
    ),
    pytest.param(
        "IN",
        "+91 98765 43210",
        "www.infosys.co.in",
        "Bharat",
        "+919876543210",
        "infosys.co.in",
        "IN",
        id="in_international",
    ),
    pytest.param(
        "IN", "98765 43210", "infosys.co.in", "India", "+919876543210", "infosys.co.in", "IN", id="in_national"
    ),
    pytest.param(
        "GB", "020 7946 0958", "www.acme.co.uk", "U.K.", "+442079460958", "acme.co.uk", "GB", id="gb_dotted_uk"
    ),
    pytest.param(
        "US",
        "(415) 555-0100",
        "https://www.acme.com/about",
        "USA",
        "+14155550100",
        "acme.com",
        "US",
        id="us_still_works",
    ),
]


@pytest.mark.parametrize(
    ("region", "phone", "website", "country", "want_phone", "want_domain", "want_country"), RECORDS
)
def test_international_record_is_standardised(
    region: str, phone: str, website: str, country: str, want_phone: str, want_domain: str, want_country: str
) -> None:
    raw: dict[str, Any] = {
        "id": "1",
        "modified": "2026-03-01T10:00:00Z",
        "name": "Acme",
        "phone": phone,
        "website": website,
        "country": country,
    }
    record = _mapper(region).map("accounts", raw, _resolve)
    fields = record.fields
    assert (fields["phone"], fields["primary_domain"], fields["country"]) == (want_phone, want_domain, want_country)
    assert (fields["phone_raw"], fields["country_raw"]) == (phone, country)  # the raw text is kept beside
    Organization.model_validate(fields)


def test_national_number_of_another_region_is_dropped_not_guessed() -> None:
    raw = {"id": "1", "modified": "2026-03-01T10:00:00Z", "name": "Acme", "phone": "030 12", "country": "DE"}
    assert _mapper("DE").map("accounts", raw, _resolve).fields["phone"] is None


def test_unknown_phone_region_is_a_mapping_error() -> None:
    with pytest.raises(ValueError, match="unknown phone region 'ZZ'"):
        _mapper("ZZ")
