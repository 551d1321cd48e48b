"""LDIF of a mail domain and its accounts, for loading the benchmarks' directories with ldapadd."""

SUFFIX = "dc=example,dc=org"


def domain_ldif(domain: str, count: int, suffix: str = SUFFIX) -> str:
    """The domain entry and `count` plain accounts u000000@domain… (no aliases, no forwards, 200 MB quota)."""
    head = f"dn: virtualdomain={domain},ou=mailDomains,{suffix}\nobjectClass: mailDomain\nvirtualdomain: {domain}\n\n"
    return head + "".join(
        f"dn: uid=u{i}.{domain},ou=Users,{suffix}\nobjectClass: inetOrgPerson\nobjectClass: mailAccount\n"
        f"uid: u{i}.{domain}\ncn: User {i}\nsn: {i}\nmail: u{i:06d}@{domain}\nmailenable: OK\n"
        f"mailbox: /home/vmail/u{i}.{domain}/\nmailuserquota: 204800\n\n"
        for i in range(count)
    )
