"""Each provider's writeback names the web-app page of a logged interaction's contact, from the account's
metadata only, and gives no link when the metadata lacks what the URL needs or holds something unsafe."""

from __future__ import annotations

from crmbridge.providers.hubspot.writeback import MAPPING as HUBSPOT
from crmbridge.providers.pipedrive.writeback import MAPPING as PIPEDRIVE


def test_hubspot_links_the_contact_record_of_the_portal() -> None:
    assert HUBSPOT.contact_url({"portal_id": 62515}, "101") == (
        "https://app.hubspot.com/contacts/62515/record/0-1/101"
    )
    assert (
        HUBSPOT.contact_url({"crm_account_id": "7"}, "9") == "https://app.hubspot.com/contacts/7/record/0-1/9"
    )
    assert HUBSPOT.contact_url({}, "101") is None
    assert HUBSPOT.contact_url({"portal_id": "evil.example/x"}, "101") is None
    assert (
        HUBSPOT.contact_url({"portal_id": 1}, "a/b") == "https://app.hubspot.com/contacts/1/record/0-1/a%2Fb"
    )


def test_pipedrive_links_the_person_on_the_company_domain() -> None:
    assert (
        PIPEDRIVE.contact_url({"company_domain": "acme-3"}, "42") == "https://acme-3.pipedrive.com/person/42"
    )
    from_origin = {"api_domain": "https://globex.pipedrive.com"}
    assert PIPEDRIVE.contact_url(from_origin, "5") == "https://globex.pipedrive.com/person/5"
    assert PIPEDRIVE.contact_url({"api_domain": "http://127.0.0.1:9/pipedrive"}, "5") is None
    assert PIPEDRIVE.contact_url({"company_domain": "x.evil.com/"}, "5") is None
    assert PIPEDRIVE.contact_url({}, "5") is None
