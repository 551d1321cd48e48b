"""Finding 10: the alias form gives a domain admin the same answer for another customer's domain and for a domain not
hosted here, so it cannot be used to list the hosted domains."""

from __future__ import annotations


def test_another_customers_domain_and_an_unhosted_one_get_the_same_message(login_as):
    admin = login_as("domain_admin")

    def refusal(address: str) -> str:
        response = admin.post("/accounts/alice@example.test/aliases/add/", {"address": address})
        assert response.status_code == 422
        return str(response.context["alias_form"].errors["address"]).replace(address, "ADDRESS")

    assert refusal("x@other.test") == refusal("x@nowhere.test")
    assert "You do not administer the domain of ADDRESS" in refusal("x@nowhere.test")
