from mailadmin.directory import accounts

ADD = "/accounts/alice@example.test/forwards/add/"
REMOVE = "/accounts/carol@example.test/forwards/remove/"


def test_it_adds_a_forward_keeping_a_copy(domain_admin, directory):
    assert domain_admin.post(ADD, {"address": "alice@external.test", "keep_copy": "on"}).status_code == 302
    alice = accounts.get_account(directory, "alice@example.test")
    assert alice.forward_targets == ("alice@external.test",) and alice.keeps_copy


def test_removing_the_last_forward_restores_local_delivery(domain_admin, directory):
    assert domain_admin.post(REMOVE, {"address": "carol@external.test"}).status_code == 302
    assert accounts.get_account(directory, "carol@example.test").forwards == ()


def test_it_refuses_bad_input(domain_admin):
    r = domain_admin.post(ADD, {"address": "not an address"})
    assert r.status_code == 422 and "address" in r.context["forward_form"].errors


def test_helpdesk_may_not_change_forwards(helpdesk):
    assert helpdesk.post(ADD, {"address": "x@external.test"}).status_code == 403


def test_a_domain_admin_cannot_re_point_postmaster_or_abuse(domain_admin):
    for address in ("postmaster@example.test", "abuse@example.test"):
        r = domain_admin.post(f"/accounts/{address}/forwards/add/", {"address": "evil@external.test"})
        assert r.status_code == 403


def test_it_hides_other_domains(outsider):
    assert outsider.post(ADD, {"address": "x@external.test"}).status_code == 404


def test_removing_a_forward_is_confirmed_first(domain_admin, directory):
    r = domain_admin.get(REMOVE, {"address": "carol@external.test"})
    html = r.content.decode()
    assert r.status_code == 200 and "Stop forwarding to carol@external.test?" in html
    assert 'name="address" value="carol@external.test"' in html
    assert "carol@external.test" in accounts.get_account(directory, "carol@example.test").forward_targets


def test_a_get_of_the_add_endpoint_goes_back_to_the_account_page(domain_admin):
    r = domain_admin.get(ADD)
    assert r.status_code == 302 and r["Location"] == "/accounts/alice@example.test/"


def test_it_shows_error_when_directory_down(domain_admin, directory_down):
    assert domain_admin.post(ADD, {"address": "x@external.test"}).status_code == 503
