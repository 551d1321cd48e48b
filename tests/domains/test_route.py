def test_it_shows_the_form_without_an_address(superadmin):
    r = superadmin.get("/route/")
    assert r.status_code == 200
    assert 'name="address"' in r.content.decode()


def test_it_shows_each_step_and_the_verdict(superadmin):
    body = superadmin.get("/route/", {"address": "Alice@Example.TEST"}).content.decode()
    assert "Domain accepted? (ldap-domains.cf)" in body
    assert "Mailbox? (ldap-accounts.cf)" in body
    assert "/home/vmail/alice/" in body
    assert "Delivered into the mailbox." in body


def test_it_explains_why_a_disabled_account_bounces(superadmin):
    body = superadmin.get("/route/", {"address": "dave@example.test"}).content.decode()
    assert "Bounces: unknown user." in body
    assert "The account is disabled" in body


def test_it_links_the_recipients_that_take_their_own_route(superadmin):
    body = superadmin.get("/route/", {"address": "bob@example.test"}).content.decode()
    assert 'href="/route/?address=bob%40external.test"' in body


def test_it_accepts_unicode_domains(superadmin):
    body = superadmin.get("/route/", {"address": "x@bücher.test"}).content.decode()
    assert "xn--bcher-kva.test is not hosted here" in body


def test_it_refuses_bad_input(superadmin):
    body = superadmin.get("/route/", {"address": "not an address"}).content.decode()
    assert "is not an e-mail address" in body
    assert "Domain accepted?" not in body


def test_it_says_only_not_visible_for_other_domains(outsider, operations):
    body = outsider.get("/route/", {"address": "dave@example.test"}).content.decode()
    assert "is not in a domain you can see" in body
    assert "disabled" not in body and "Domain accepted?" not in body
    assert operations == []  # the directory is not even asked


def _main(response) -> str:
    body = response.content.decode()
    return body[body.index("<main"):body.index("</main>")]


def test_it_does_not_tell_outsiders_whether_a_domain_is_hosted(outsider):
    hosted = _main(outsider.get("/route/", {"address": "x@example.test"}))
    absent = _main(outsider.get("/route/", {"address": "x@absent.test"}))
    assert hosted.replace("example.test", "D") == absent.replace("absent.test", "D")


def test_it_escapes_the_address(superadmin):
    body = superadmin.get("/route/", {"address": "<script>@x.test"}).content.decode()
    assert "<script>" not in body


def test_it_requires_login(client):
    assert client.get("/route/", {"address": "alice@example.test"})["Location"].startswith("/login/")


def test_it_shows_error_when_directory_down(superadmin, directory_down):
    r = superadmin.get("/route/", {"address": "alice@example.test"})
    assert r.status_code == 503
    assert "/route/?address=alice%40example.test" in r.content.decode()


def test_it_explains_mail_to_an_mds_mail_group_through_its_copied_aliases(superadmin, mds_people):
    page = superadmin.get("/route/", {"address": "staff@example.test"}).content.decode()
    assert "Delivered to several accounts." in page and "MDS mail group?" in page
    assert "address of the mail group cn=staff,ou=Groups,dc=example,dc=org. MMC copied it into the aliases" in page


def test_it_says_when_nothing_delivers_a_mail_groups_address(superadmin, mds_people):
    page = superadmin.get("/route/", {"address": "sales@other.test"}).content.decode()
    assert "Bounces: unknown user." in page
    assert "no member holds a copy of it and no virtual alias has it" in page
