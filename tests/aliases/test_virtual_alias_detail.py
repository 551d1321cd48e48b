"""One virtual alias: members, edit, enable/disable, remove."""

from mailadmin.directory import aliases

URL = "/aliases/team@example.test/"


def test_it_warns_that_a_disabled_member_still_gets_list_mail(domain_admin):
    html = domain_admin.get(URL).content.decode()
    assert "alice@example.test" in html and "partner@external.test" in html
    assert "disabled account: its copy of this virtual alias's mail bounces" in html


def test_it_edits_members_and_external_recipients(domain_admin, directory):
    team = aliases.get_valias(directory, "team@example.test")
    r = domain_admin.post(URL + "edit/", {"members": "bob@example.test", "external": "", "enabled": "on",
                                          "csn": team.csn})
    assert r.status_code == 302
    team = aliases.get_valias(directory, "team@example.test")
    assert team.members == ("uid=bob,ou=Users,dc=example,dc=org",) and team.external == ()


def test_a_stale_edit_is_refused(domain_admin, directory):
    team = aliases.get_valias(directory, "team@example.test")
    aliases.update_valias(directory, team, members=team.members, external=(), enabled=True)
    r = domain_admin.post(URL + "edit/", {"members": "alice@example.test", "external": "a@external.test",
                                          "enabled": "on", "csn": team.csn})
    assert r.status_code == 422 and "Someone else changed" in r.content.decode()


def test_it_refuses_unknown_members(domain_admin):
    r = domain_admin.post(URL + "edit/", {"members": "ghost@example.test", "enabled": "on"})
    assert r.status_code == 422 and "There is no account ghost@example.test." in r.content.decode()


def test_it_disables_and_enables(domain_admin, directory):
    assert domain_admin.post(URL + "disable/").status_code == 302
    assert not aliases.get_valias(directory, "team@example.test").enabled
    assert domain_admin.post(URL + "enable/").status_code == 302
    assert aliases.get_valias(directory, "team@example.test").enabled


def test_it_removes_after_confirmation(domain_admin, directory):
    assert domain_admin.get(URL + "remove/").status_code == 200
    assert domain_admin.post(URL + "remove/").status_code == 302
    assert aliases.get_valias(directory, "team@example.test") is None


def test_a_domain_admin_cannot_touch_a_reserved_list(domain_admin, superadmin_directory_list):
    for action in ("disable/", "remove/"):
        assert domain_admin.post(f"/aliases/{superadmin_directory_list}/{action}").status_code == 403


def test_helpdesk_may_look_but_not_change(helpdesk):
    assert helpdesk.get(URL).status_code == 200
    assert helpdesk.post(URL + "edit/", {"members": ""}).status_code == 403
    assert helpdesk.post(URL + "remove/").status_code == 403


def test_it_hides_other_domains(outsider):
    assert outsider.get(URL).status_code == 404


def test_a_get_of_a_change_goes_back_to_the_page(domain_admin, directory):
    for action in ("edit", "enable"):
        r = domain_admin.get(URL + action + "/")
        assert r.status_code == 302 and r["Location"] == URL
    assert aliases.get_valias(directory, "team@example.test").enabled


def test_it_shows_error_when_directory_down(domain_admin, directory_down):
    assert domain_admin.get(URL).status_code == 503


def test_disabling_is_confirmed_first(domain_admin, directory):
    r = domain_admin.get(URL + "disable/")
    html = r.content.decode()
    assert r.status_code == 200 and "Disable team@example.test?" in html and "bounces" in html
    assert f'<a href="{URL}">team@example.test</a>' in html  # the way back, in the breadcrumbs and Cancel
    assert aliases.get_valias(directory, "team@example.test").enabled
