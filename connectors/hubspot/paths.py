"""The request paths of one HubSpot API version.

HubSpot replaced its numbered paths with date versions in March 2026
(https://developers.hubspot.com/docs/api-reference/latest/overview, "The 2026-03 APIs use a date-based
versioning scheme that replaces the previous numeric version paths"), and is retiring the old ones:

* OAuth v1 (``POST /oauth/v1/token``) is deprecated on 2027-02-16; successor ``POST /oauth/2026-03/token``
  (https://developers.hubspot.com/changelog/v1-oauth-api-deprecation);
* v4 APIs (``/crm/v4/associations/...``) lose support on 2027-03-30
  (https://developers.hubspot.com/changelog/deprecating-support-for-hubspot-v4-apis, as quoted in
  https://github.com/HubSpot/hubspot-api-python/issues/495);
* v1-v3 APIs (``/crm/v3/objects/...``) are unsupported from September 2027
  (https://developers.hubspot.com/changelog/legacy-apis-and-legacy-apps-whats-going-unsupported-and-when).

``2026-03`` (the default) speaks the successors, whose request and response bodies are those of v3/v4
(https://developers.hubspot.com/docs/api-reference/2026-03/crm/objects/companies/batch/upsert-companies,
.../crm/associations/associate-records/batch/get-associations, .../authentication/oauth-tokens/refresh-oauth-token);
``v3`` keeps the legacy paths for a portal or proxy that does not serve the dated ones yet.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ApiPaths:
    """Paths for ``version`` (``"2026-03"`` or ``"v3"``)."""

    version: str

    @property
    def legacy(self) -> bool:
        return self.version == "v3"

    def objects(self, object_name: str) -> str:
        """List and create: ``GET /crm/objects/2026-03/{type}`` (legacy ``/crm/v3/objects/{type}``)."""
        return f"/crm/v3/objects/{object_name}" if self.legacy else f"/crm/objects/{self.version}/{object_name}"

    def search(self, object_name: str) -> str:
        return f"{self.objects(object_name)}/search"

    def batch(self, object_name: str, verb: str) -> str:
        """``batch/read``, ``batch/upsert``, ..."""
        return f"{self.objects(object_name)}/batch/{verb}"

    def properties(self, object_name: str) -> str:
        """``/crm/properties/2026-03/{type}`` (legacy ``/crm/v3/properties/{type}``): list and create;
        ``/{name}`` reads one."""
        return f"/crm/v3/properties/{object_name}" if self.legacy else f"/crm/properties/{self.version}/{object_name}"

    def association_batch_read(self, from_object: str, to_object: str) -> str:
        """``POST /crm/associations/2026-03/{from}/{to}/batch/read`` (legacy ``/crm/v4/associations/...``)."""
        if self.legacy:
            return f"/crm/v4/associations/{from_object}/{to_object}/batch/read"
        return f"/crm/associations/{self.version}/{from_object}/{to_object}/batch/read"

    def token(self) -> str:
        """The OAuth token endpoint (form-encoded refresh and code grants)."""
        return "/oauth/v1/token" if self.legacy else f"/oauth/{self.version}/token"
