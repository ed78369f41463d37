"""Bad mapping files: each names file, line and field. The line the error must point at is marked ``# <-``."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.mapping import MappingFileError, load_mapping

from .conftest import HUBSPOT_MAPPING, marked_line, write_mapping

BAD_FILES = [
    pytest.param(
        """
        system: demo
        version: 1
        objects:
          companies:
            entity: organization
            updated_at: {source: properties.hs_lastmodifieddate}
            fields:
              primary_domian: {source: properties.domain, type: domain}  # <-
        """,
        "objects.companies.fields.primary_domian",
        "unknown canonical field 'primary_domian' for organization (known: annual_revenue, city,",
        id="unknown_canonical_field",
    ),
    pytest.param(
        """
        system: demo
        version: 1
        objects:
          companies:
            entity: organization
            updated_at: {source: properties.hs_lastmodifieddate}
            fields:
              name:
                source: properties.name
                type: strng  # <-
        """,
        "objects.companies.fields.name.type",
        "Input should be 'string', 'integer',",
        id="wrong_type_name",
    ),
    pytest.param(
        """
        system: demo
        version: 1
        objects:
          companies:
            entity: organization
            updated_at: {source: properties.hs_lastmodifieddate}
            fields:
              roles:
                source: properties.type
                type: enum_list
                values:
                  PARTNER: [partner]
                  RESELLER: [partnr]  # <-
        """,
        "objects.companies.fields.roles.values.RESELLER",
        "'partnr' is not a legal roles value (legal: cloud_provider, customer,",
        id="bad_enum_target",
    ),
    pytest.param(
        """
        system: demo
        version: 1
        objects:
          deals:
            entity: opportunity
            updated_at: {source: properties.hs_lastmodifieddate}
            fields:
              stage_category:
                source: properties.dealstage
                type: enum
                values: {closedwon: won}
                default: pending  # <-
        """,
        "objects.deals.fields.stage_category.default",
        "'pending' is not a legal stage_category value",
        id="bad_enum_default",
    ),
    pytest.param(
        """
        system: demo
        version: 1
        objects:
          companies:  # <-
            entity: organization
            fields:
              name: {source: properties.name}
        """,
        "objects.companies.updated_at",
        "required key is missing",
        id="missing_updated_at",
    ),
    pytest.param(
        """
        system: demo
        version: 1
        objects:
          companies:
            entity: organization
            updated_at: {source: properties.hs_lastmodifieddate}
            fields:
              name: {sourec: properties.name}  # <-
        """,
        "objects.companies.fields.name.sourec",
        "unknown key 'sourec'",
        id="unknown_key",
    ),
    pytest.param(
        """
        system: demo
        version: 1
        objects:
          companies:
            entity: organization
            updated_at: {source: properties.hs_lastmodifieddate}
            fields:
              name: {source: properties.name, sources: [properties.legal_name]}  # <-
        """,
        "objects.companies.fields.name",
        "give exactly one of 'source' or 'sources'",
        id="source_and_sources",
    ),
    pytest.param(
        """
        system: demo
        version: 1
        objects:
          companies:
            entity: organization
            updated_at: {source: properties.hs_lastmodifieddate}
            fields:
              city:
                source: properties.city
                default_region: US  # <-
        """,
        "objects.companies.fields.city.default_region",
        "'default_region' only applies to phone, not string",
        id="option_of_other_type",
    ),
    pytest.param(
        """
        system: demo
        version: 1
        objects:
          companies:
            entity: organization
            updated_at: {source: properties.hs_lastmodifieddate}
            fields:
              roles:
                source: properties.type
                type: string  # <-
        """,
        "objects.companies.fields.roles.type",
        "'roles' holds a list; type string does not fit",
        id="scalar_type_for_list_field",
    ),
    pytest.param(
        """
        system: demo
        version: 1
        objects:
          deals:
            entity: opportunity
            updated_at: {source: properties.hs_lastmodifieddate}
            fields:
              currency: {source: properties.deal_currency_code, type: currency, default: dollars}  # <-
        """,
        "objects.deals.fields.currency.default",
        "bad default for type currency: not an ISO-4217 currency code: 'dollars'",
        id="bad_default",
    ),
    pytest.param(
        """
        system: demo
        version: 1
        objects:
          deals:
            entity: opportunity
            updated_at: {source: properties.hs_lastmodifieddate}
            links:
              customer_org_id:  # <-
                association: companies
        """,
        "objects.deals.links.customer_org_id",
        "refers to source object 'companies', which this file does not map (mapped: deals)",
        id="link_to_unmapped_object",
    ),
    pytest.param(
        """
        system: demo
        version: 1
        objects:
          contacts:
            entity: person
            updated_at: {source: properties.lastmodifieddate}
            links:
              organization_id:
                association: contacts
                many: true  # <-
        """,
        "objects.contacts.links.organization_id.many",
        "'organization_id' needs many: false",
        id="link_many_mismatch",
    ),
    pytest.param(
        """
        system: demo
        version: 1
        objects:
          companies:
            entity: organization
            updated_at: {source: properties.hs_lastmodifieddate}
            partner_roles:  # <-
              - {association: companies, type: sourcing_partner, role: sourced}
        """,
        "objects.companies.partner_roles",
        "organization has no partner roles",
        id="partner_roles_on_organization",
    ),
    pytest.param(
        """
        system: demo
        version: 1
        objects:
          companies:
            entity: organisation  # <-
            updated_at: {source: properties.hs_lastmodifieddate}
        """,
        "objects.companies.entity",
        "Input should be 'organization', 'person', 'opportunity', 'deal_registration', 'partner_enrollment' or "
        "'partner_transaction' (got 'organisation')",
        id="unknown_entity",
    ),
    pytest.param(
        """
        system: demo
        version: 1
        objects:
          companies:
            entity: organization
            updated_at: {source: properties.hs_lastmodifieddate}
            fields:
              name: {source: properties.name}
              name: {source: properties.legal_name}  # <-
        """,
        "objects.companies.fields.name",
        "duplicate key",
        id="duplicate_key",
    ),
    pytest.param(
        """
        system: demo
        version: 1
        objects:
          deals:
            entity: opportunity
            updated_at: {source: properties.hs_lastmodifieddate}
            fields:
              currency:
                source: properties.deal_currency_code
                type: currency
                required: true
                default: USD  # <-
        """,
        "objects.deals.fields.currency.default",
        "a required field has no default",
        id="required_with_default",
    ),
]


@pytest.mark.parametrize(("text", "field", "message"), BAD_FILES)
def test_bad_mapping_file_names_file_line_and_field(tmp_path: Path, text: str, field: str, message: str) -> None:
    path = write_mapping(tmp_path, text)
    with pytest.raises(MappingFileError) as caught:
        load_mapping(path)
    assert str(caught.value).startswith(f"{path}:{marked_line(path)}: {field}: {message}")
    assert isinstance(caught.value, ValueError)


SYNTAX_ERRORS = [
    pytest.param(
        """
        system: demo
        version: 1
        objects:
          companies:
            entity: organization
            fields: {name: {source: properties.name}  # <-
        """,
        id="unclosed_flow_mapping",
    ),
    pytest.param(
        """
        system: demo
        objects:
          companies:
            entity: organization
           updated_at: {source: x}  # <-
        """,
        id="bad_indentation",
    ),
    pytest.param(
        """
        system: demo
        version: 1
        objects:
          companies:
            entity: "organization  # <-
        """,
        id="unclosed_quote",
    ),
]


@pytest.mark.parametrize("text", SYNTAX_ERRORS)
def test_yaml_syntax_error_names_file_and_line(tmp_path: Path, text: str) -> None:
    path = write_mapping(tmp_path, text)
    with pytest.raises(MappingFileError, match="YAML syntax error") as caught:
        load_mapping(path)
    assert str(caught.value).startswith(f"{path}:{marked_line(path)}: ")


def test_typo_in_the_real_file_is_reported_as_the_admin_sees_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "mappings").mkdir()
    text = HUBSPOT_MAPPING.read_text().replace("primary_domain:", "primary_domian:", 1)
    (tmp_path / "mappings" / "hubspot.yaml").write_text(text)
    line = next(n for n, row in enumerate(text.splitlines(), start=1) if "primary_domian:" in row)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(MappingFileError) as caught:
        load_mapping("mappings/hubspot.yaml")
    assert str(caught.value).startswith(
        f"mappings/hubspot.yaml:{line}: objects.companies.fields.primary_domian: "
        "unknown canonical field 'primary_domian' for organization (known: "
    )
    [issue] = caught.value.issues
    assert (issue.path, issue.line, issue.field) == (
        "mappings/hubspot.yaml",
        line,
        "objects.companies.fields.primary_domian",
    )
